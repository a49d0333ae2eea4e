"""The Kinerja ASN portal: server-rendered pages over the four services' public APIs."""

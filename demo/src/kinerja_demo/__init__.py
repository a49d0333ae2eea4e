"""Demo data for Kinerja ASN Palembang: a seeded, realistic city (``city``) loaded through the services'
public HTTP APIs (``load``). For local demo and benchmark machines only: it mints tokens with the local
private key."""

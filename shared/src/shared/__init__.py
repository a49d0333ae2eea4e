"""Kinerja ASN common package: event contracts and platform helpers shared by the four services.

Services import from here and from nowhere else in the repo; this package never imports a service.
"""

"""Reporting service: real-time read models and dashboards for employees, supervisors, OPD heads and BKPSDM."""

"""Git: the one repository handle the tools read through (``repo``), and what tools/setup-git
installs into a clone (``install``).
"""

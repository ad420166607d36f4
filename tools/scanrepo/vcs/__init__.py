"""Git: the one repository handle the tools read through (``repo``), what tools/setup-git
installs into a clone (``install``), and git's textconv cache of scans that it fills and keys
(``textconv_cache``).
"""

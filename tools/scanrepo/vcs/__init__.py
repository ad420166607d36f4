"""Git: the one repository handle the tools read through (``repo``), what tools/setup-git
installs into a clone (``install``), git's textconv cache of scans that it fills and keys
(``textconv_cache``), and where the tools keep their own caches in the git directory
(``cache_files``).
"""

"""The survey's figures: the corpus as the statistics read it (``corpus``), its figures
(``figures``), each item's stability across history (``stability``), the estimates behind both
(``estimates``) and the flat rows of the export (``rows``).
"""

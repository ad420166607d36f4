"""The semantic merge: three scans merged item by item (``threeway``), one paper's merge from
file contents (``paper``), the record of a merge that stopped (``record``), the state git holds
of a merge in progress (``state``), the merge driver's logic (``driver``) and the resolve
workflow (``resolve``).
"""

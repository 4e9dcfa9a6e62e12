"""Executes a notebook with nbclient on a kernel, as `jupyter nbconvert --execute` does, and
prints what the Swift test checks as one JSON object.

Usage: run_notebook.py NOTEBOOK KERNEL_NAME
The notebook is validated with nbformat first (cell ids, schema); warnings fail the run.
"""
import json
import sys
import time
import warnings

import nbformat
from nbclient import NotebookClient

path, kernel_name = sys.argv[1], sys.argv[2]
with warnings.catch_warnings():
    warnings.simplefilter("error")
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)

start = time.time()
# allow_errors off: a cell that fails stops the run, except those tagged raises-exception.
NotebookClient(notebook, timeout=600, kernel_name=kernel_name).execute()
seconds = time.time() - start

cells = {}
for cell in notebook.cells:
    if cell.cell_type != "code":
        continue
    cells[cell.id] = {
        "text": "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream"),
        "errors": [o.evalue for o in cell.outputs if o.output_type == "error"],
        "mimes": sorted({m for o in cell.outputs if "data" in o for m in o.data}),
        "updates": sum(1 for o in cell.outputs if o.output_type == "display_data"),
    }
print(json.dumps({"seconds": seconds, "kernel": notebook.metadata.kernelspec.name, "cells": cells}))

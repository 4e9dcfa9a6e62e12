let notebookPlaceholder = 0

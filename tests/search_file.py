"""The smallest search file, which the search tests share: simple on digits, its lr searched."""


def lr_search(epochs=1, low="1e-3", high="3e-2"):  # the bounds as written in the file
    return f"""
[defaults]
data = "digits"
model = "simple"
epochs = {epochs}
[search]
lr = {{low = {low}, high = {high}, log = true}}
"""

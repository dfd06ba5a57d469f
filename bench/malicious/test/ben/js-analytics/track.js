export function track(event, props = {}) {
  const payload = {
    event,
    props,
    url: window.location.href,
    referrer: document.referrer,
    ua: navigator.userAgent,
    ts: Date.now(),
  };
  if (navigator.sendBeacon) {
    navigator.sendBeacon("https://plausible.example.com/api/event", JSON.stringify(payload));
  } else {
    fetch("https://plausible.example.com/api/event", { method: "POST", body: JSON.stringify(payload), keepalive: true });
  }
}

// Formats an invoice total for display.
function formatTotal(cents, currency) {
  const amount = (cents / 100).toFixed(2);
  return `${amount} ${currency}`;
}

module.exports = { formatTotal };

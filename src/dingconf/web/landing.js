// The landing page's Copy buttons: the snippet to the clipboard, else selected for Ctrl-C
// (the clipboard needs a secure context, which http://<a LAN address> is not).
"use strict";
const status = document.querySelector(".status");
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const code = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(code.textContent);
      status.textContent = "Copied.";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = "Selected: press Ctrl-C (or Cmd-C) to copy.";
    }
  });
}

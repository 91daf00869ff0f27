// Copy buttons (the member page's calendar link): <button data-copy="input-id">. A file,
// not inline script: the Content-Security-Policy allows scripts from Convene's files only.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copied-for="${button.dataset.copy}"]`);
  const done = (text) => { if (status) status.textContent = text; };
  field.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(
      () => done("Copied."),
      () => done("Press Ctrl+C (or ⌘C) to copy."),
    );
  } else {
    done("Press Ctrl+C (or ⌘C) to copy.");
  }
});

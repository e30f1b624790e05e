// Keyboard access to the buttons plotly draws inside a figure (Backpropagation's Prev / Next /
// Play / Pause, Gradient descent's Play / Pause): plotly draws them as SVG groups that a mouse
// can click and Tab never reaches. Each becomes a focusable button (Tab, then Enter or Space
// clicks it), named by its text. A figure that redraws its buttons after a step (each frame
// re-points Prev / Next) gets the focus back on the button of the same name. Loaded once per
// page by dlviz.ui.common.page_header; no less-than sign here (the HTML sanitizer's rule).
(() => {
  if (window.dlvizKeyboard) return;
  window.dlvizKeyboard = true;
  let pending = null; // {plot, name}: the button pressed from the keyboard, to focus again
  const BUTTONS = ".js-plotly-plot .updatemenu-button";
  const press = (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    const button = event.currentTarget;
    pending = { plot: button.closest(".js-plotly-plot"), name: button.getAttribute("aria-label") };
    button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    refocus();
  };
  const refocus = () => {
    if (!pending || !pending.plot.isConnected) return;
    const active = document.activeElement;
    if (active && pending.plot.contains(active) && active.isConnected) return;
    const again = [...pending.plot.querySelectorAll(".updatemenu-button")].find(
      (b) => b.getAttribute("aria-label") === pending.name,
    );
    if (again) {
      again.focus();
      pending = null;
    }
  };
  const enable = () => {
    for (const button of document.querySelectorAll(BUTTONS)) {
      if (button.hasAttribute("tabindex")) continue;
      button.setAttribute("tabindex", "0");
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", (button.textContent || "").trim());
      button.addEventListener("keydown", press);
    }
    refocus();
  };
  new MutationObserver(enable).observe(document.body, { childList: true, subtree: true });
  enable();
})();

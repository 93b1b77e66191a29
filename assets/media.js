// Pictures, in the browser: a plain script (not a React component) so that it answers on the
// server's first paint as on the live page, through one listener on the document each.
//
// - A thumbnail (`.post-media-open`, widgets/post_card.py) opens the full picture in a modal
//   <dialog>: the browser keeps the focus inside it and closes it on Escape; the focus then goes
//   back to the thumbnail that opened it.
// - "Add pictures" (`.compose-media-add`) opens the file picker of the drop zone around its box
//   (`[data-media-paste]`, components/compose_media.py: the compose, reply or edit box), and
//   pasting a picture into a box hands the pasted files to that box's picker's
//   <input type=file>, as if they had been chosen there: the upload, its progress and its
//   errors are that drop zone's. Each is found from the button or the text (`closest`), never
//   by a page-wide id, so several boxes can be on one page.
(function () {
  "use strict";
  var viewer = null;
  var opener = null;

  function closeLabel() {
    var html = document.documentElement;
    return (html && html.getAttribute("data-media-close")) || "Close";
  }

  function build() {
    var dialog = document.createElement("dialog");
    dialog.className = "media-viewer";
    dialog.setAttribute("aria-label", "");
    var img = document.createElement("img");
    var bar = document.createElement("div");
    bar.className = "media-viewer-bar";
    var caption = document.createElement("p");
    caption.className = "media-viewer-caption";
    caption.id = "media-viewer-caption";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "media-viewer-close";
    close.addEventListener("click", function () {
      dialog.close();
    });
    bar.appendChild(caption);
    bar.appendChild(close);
    dialog.appendChild(img);
    dialog.appendChild(bar);
    // A click on the backdrop (outside the picture and its bar) closes it too.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", function () {
      img.removeAttribute("src");
      if (opener && document.contains(opener)) opener.focus();
      opener = null;
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function open(button) {
    if (!viewer || !document.contains(viewer)) viewer = build();
    var thumb = button.querySelector("img");
    var alt = thumb ? thumb.getAttribute("alt") || "" : "";
    var img = viewer.querySelector("img");
    img.src = button.getAttribute("data-full");
    img.alt = alt;
    img.width = Number(button.getAttribute("data-width")) || 0;
    img.height = Number(button.getAttribute("data-height")) || 0;
    viewer.querySelector(".media-viewer-caption").textContent = alt;
    viewer.setAttribute("aria-label", alt);
    var close = viewer.querySelector(".media-viewer-close");
    close.textContent = button.getAttribute("data-close") || closeLabel();
    opener = button;
    viewer.showModal();
    close.focus();
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest(".compose-media-add");
    if (add) {
      // "Add pictures": the file picker of the drop zone around this button's box.
      var zone = add.closest("[data-media-paste]");
      var input = zone && zone.querySelector("input[type=file]");
      if (input && !input.disabled) input.click();
      return;
    }
    var button = event.target.closest && event.target.closest(".post-media-open");
    if (!button) return;
    event.preventDefault();
    open(button);
  });

  // The drop zone's own <input type=file> (react-dropzone's, visually hidden) is reached only
  // through "Add pictures": out of the tab order and the accessibility tree (one control,
  // not two of the same name), and named all the same for tools that look at it.
  function nameFileInputs() {
    var inputs = document.querySelectorAll("[data-media-paste] input[type=file]:not([aria-hidden])");
    Array.prototype.forEach.call(inputs, function (input) {
      var zone = input.closest("[data-media-paste]");
      input.setAttribute("aria-label", zone.getAttribute("data-media-input-label") || "");
      input.setAttribute("tabindex", "-1");
      input.setAttribute("aria-hidden", "true");
    });
  }
  new MutationObserver(nameFileInputs).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });

  document.addEventListener("paste", function (event) {
    var box = event.target.closest && event.target.closest("[data-media-paste]");
    if (!box || !event.clipboardData) return;
    var files = Array.prototype.filter.call(event.clipboardData.files || [], function (file) {
      return file.type && file.type.indexOf("image/") === 0;
    });
    if (!files.length) return; // text: pasted as usual
    var input = box.querySelector("input[type=file]");
    if (!input || input.disabled) return;
    event.preventDefault();
    var transfer = new DataTransfer();
    files.forEach(function (file) {
      transfer.items.add(file);
    });
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();

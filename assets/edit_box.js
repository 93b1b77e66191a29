// The box a post is edited in (components/post_card.py's `edit_box`), with the keyboard a
// writer expects: opening it puts the focus in the text with the caret at the end; Escape
// cancels (its Cancel button does it); Ctrl+Enter, or Cmd+Enter on a Mac, saves (its form is
// submitted, as Save would, unless Save is disabled: the text is over the limit). When the box
// closes, saved or cancelled, the focus goes back to the post's Edit button, unless the writer
// had already moved it elsewhere; without that it would fall to the page's start.
//
// Plain React.createElement: files under assets/ are bundled as they are, without JSX.
import { createElement, useLayoutEffect, useRef } from "react";

export function EditBox({ children, className }) {
  const box = useRef(null);

  useLayoutEffect(() => {
    const element = box.current;
    const text = element?.querySelector("textarea");
    if (text) {
      text.focus();
      const end = text.value.length;
      text.setSelectionRange(end, end);
    }
    // The card's Edit button stays when the box goes: it is in the card's header.
    const card = element?.closest(".post");
    return () => {
      if (element && element.contains(document.activeElement)) {
        card?.querySelector(".edit-post")?.focus();
      }
    };
  }, []);

  const onKeyDown = (event) => {
    if (event.isComposing) return; // an input method's own Escape and Enter
    const element = box.current;
    if (event.key === "Escape") {
      event.preventDefault();
      element?.querySelector(".edit-cancel")?.click();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      const form = element?.querySelector("form");
      const save = form?.querySelector('button[type="submit"]');
      if (form && !(save && save.disabled)) form.requestSubmit(save || undefined);
    }
  };

  return createElement("div", { ref: box, className, onKeyDown }, children);
}

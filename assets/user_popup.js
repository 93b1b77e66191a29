// A user card that costs nothing until someone reaches for it.
//
// A page of posts has a user card on every author's name. As a Radix hover card each one is a
// dozen components (root, popper, trigger, portal, presence, the themed content) rendered with
// the post, though almost none is ever opened: a cost every post paid in a page's first render
// (docs/performance.md). Here the name renders as the bare link until the pointer rests on it
// (or the keyboard focuses it) for the open delay; only then is the Radix hover card built
// around it, already open, and from then on Radix handles it as usual.
//
// Plain React.createElement: files under assets/ are bundled as they are, without JSX.
import { Children, cloneElement, createElement, useEffect, useLayoutEffect, useRef, useState } from "react";
import { HoverCard } from "@radix-ui/themes";

export function LazyHoverCard({ children, openDelay = 700, closeDelay = 300, onOpenChange }) {
  const [trigger, content] = Children.toArray(children);
  const [built, setBuilt] = useState(false);
  const timer = useRef(0);
  const link = useRef(null);
  // Building the card replaces the link's element: a link that had the focus gets it back.
  const hadFocus = useRef(false);

  useEffect(() => () => clearTimeout(timer.current), []);
  useLayoutEffect(() => {
    if (built && hadFocus.current) {
      hadFocus.current = false;
      link.current?.focus();
    }
  }, [built]);

  if (built) {
    return createElement(
      HoverCard.Root,
      { defaultOpen: true, openDelay, closeDelay, onOpenChange },
      createElement(HoverCard.Trigger, null, cloneElement(trigger, { ref: link })),
      content,
    );
  }

  const wait = (event) => {
    if (event.pointerType === "touch") return; // a tap follows the link, as Radix does
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      hadFocus.current = document.activeElement === link.current;
      setBuilt(true);
      onOpenChange?.(true); // Radix reports later changes; this first opening is ours
    }, openDelay);
  };
  const cancel = () => clearTimeout(timer.current);
  return cloneElement(trigger, {
    ref: link,
    onPointerEnter: wait,
    onPointerLeave: cancel,
    onFocus: wait,
    onBlur: cancel,
  });
}

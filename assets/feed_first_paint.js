// A feed's live list taking over from the posts the server drew (components/feed_first_paint.py).
//
// The server's drawing is not removed by React when the live list comes: removing a few hundred
// drawn elements from a script detaches their layout one element at a time, which under
// Lighthouse's tracing was most of the page's longest task (docs/performance.md, "The feed's
// takeover"; forcing the style pass from the script first costs the same). The element is
// hidden instead; the browser drops its layout in the next frame's own style pass, and right
// after that frame it is emptied, when its elements have no layout left. When the live list
// goes (the page reads another page of posts), the element is shown again, empty, so the
// spinner beside it shows until the list is back.
//
// Plain React.createElement: files under assets/ are bundled as they are, without JSX.
import { startTransition, useEffect, useLayoutEffect, useState } from "react";

const DRAWN = ".feed-first-paint";
// For the frame the hidden drawing lives on, what a selector would find twice loses its class:
// the cards, and the parts of the page outside them (a profile's card and tabs, a thread's or
// a tag's heading), so that whatever looks for the page's posts or profile (a browser test's
// strict locator, an extension) finds the live copy alone. Not every element of the cards (a
// post, a conversation of the Messages list, a line of the notifications): a class change is
// cheap, but Lighthouse's tracing records each with its script's stack (426 of them took 150 ms
// of a traced phone's main thread; the notifications' 10 lines, 60 ms).
const CARDS = [".post", ".conversation", ".notification"];
const FOUND_TWICE = [...CARDS, `[class]${CARDS.map((card) => `:not(${card} *)`).join("")}`].join(
  ", ",
);

// After the browser's next frame, when its style pass has dropped the hidden drawing's layout.
function afterNextFrame(work) {
  let timer = 0;
  const frame = window.requestAnimationFrame(() => {
    timer = window.setTimeout(work, 0);
  });
  // A tab in the background gets no frames: the timer does it anyway.
  const fallback = window.setTimeout(work, 500);
  return () => {
    window.cancelAnimationFrame(frame);
    window.clearTimeout(timer);
    window.clearTimeout(fallback);
  };
}

// Whether the server's drawing is on screen (a full load of a page it drew): the live content
// can then be rendered in the background while it shows.
function drawingShown() {
  return typeof document !== "undefined" && document.querySelector(`${DRAWN}:not(:empty)`) !== null;
}

export function LiveFeed({ children }) {
  // Over the drawing, the live content is rendered as a transition: React then renders it in
  // slices of a few milliseconds between which the page answers input, instead of in one task
  // of hundreds of milliseconds on a phone (25 cards; docs/performance.md, "Scripts after the
  // first paint, the live list in the background"). The drawing stays on screen until the
  // content is committed. Without a drawing (another page of posts, a page reached from
  // within the app) there is nothing to show meanwhile, so the content renders at once.
  const [ready, setReady] = useState(() => !drawingShown());
  useEffect(() => {
    if (!ready) startTransition(() => setReady(true));
  }, [ready]);
  useLayoutEffect(() => {
    if (!ready) return undefined;
    const drawn = Array.from(document.querySelectorAll(DRAWN));
    const empty = () => {
      for (const element of drawn) element.replaceChildren();
    };
    for (const element of drawn) {
      element.style.display = "none";
      for (const node of element.querySelectorAll(FOUND_TWICE)) node.removeAttribute("class");
    }
    const cancel = afterNextFrame(empty);
    return () => {
      cancel();
      empty();
      for (const element of drawn) element.style.display = "";
    };
  }, [ready]);
  return ready ? children : null;
}

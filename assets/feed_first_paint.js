// A feed's live list taking over from the posts the server drew (components/feed_first_paint.py).
//
// The server's drawing stays in the page, hidden, instead of being removed by React when the
// live list comes: removing a few hundred drawn elements from inside React's commit detaches
// their layout there, one step per element, which under Lighthouse's tracing was most of the
// page's longest task (docs/performance.md). Hidden, the browser drops their layout in its own
// next style pass; their elements are emptied right after that frame, when they have no
// layout left. When the live list goes (the page reads another page of posts), the element is
// empty and shown again, so the spinner beside it shows until the list is back.
//
// Plain React.createElement: files under assets/ are bundled as they are, without JSX.
import { useLayoutEffect } from "react";

const DRAWN = ".feed-first-paint";

// After the browser's next frame, when its style pass has dropped the hidden drawing's layout:
// emptying it then is quick, and the page holds its posts once again only for that frame.
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

export function LiveFeed({ children }) {
  useLayoutEffect(() => {
    const drawn = Array.from(document.querySelectorAll(DRAWN));
    const empty = () => {
      for (const element of drawn) element.replaceChildren();
    };
    for (const element of drawn) {
      element.style.display = "none";
      // For that frame the page holds its content twice: the drawn copy's elements lose their
      // classes and ids, so whatever looks for the page's posts, profile or links by selector
      // (a browser test's locator, an extension) finds the live copy alone. Attribute changes
      // under an element hidden in the same task cost no layout: its style is not matched again.
      for (const node of element.querySelectorAll("[class], [id]")) {
        node.removeAttribute("class");
        node.removeAttribute("id");
      }
    }
    const cancel = afterNextFrame(empty);
    return () => {
      cancel();
      empty();
      for (const element of drawn) element.style.display = "";
    };
  }, []);
  return children;
}

// A full date and time in the reader's time zone and language (the profile's "last seen"),
// without holding up the page. The first date formatter a tab builds loads the browser's locale
// data, in a fresh tab inside React's render, before anything of the page could show. So when
// this tab has no formatter for the language yet, the moment shows as digits in the reader's
// time zone first, and the formatter is built after the frame that shows them has been painted;
// from then on the full date renders at once. A plain timeout is not enough: it can run between
// the commit that brings the profile's data and that frame's paint, delaying the profile's
// posts in a new tab.
//
// Plain React.createElement: files under assets/ are bundled as they are, without JSX.
import { createElement, useEffect, useState } from "react";
import { currentLang, dateTime, dateTimeFormatReady, numericDateTime } from "./runtime.js";

export function LocalTime({ iso, lang }) {
  const key = currentLang(lang);
  const ready = dateTimeFormatReady(key);
  const [, formatterBuilt] = useState(0);

  useEffect(() => {
    if (ready || !iso) return undefined;
    // An animation frame callback runs just before the next paint; a timeout set from it runs
    // after that paint.
    let later = 0;
    const frame = requestAnimationFrame(() => {
      later = setTimeout(() => {
        dateTime(key, iso); // builds and keeps the formatter
        formatterBuilt((count) => count + 1);
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(later);
    };
  }, [ready, key, iso]);

  return createElement("time", { dateTime: iso }, ready ? dateTime(key, iso) : numericDateTime(iso));
}

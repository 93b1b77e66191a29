// A full date and time in the reader's time zone and language (the profile's "last seen"),
// without holding up the page. The first date formatter a tab builds loads the browser's locale
// data: 30-60 ms measured in a fresh tab, spent inside React's render, before anything of the
// page could show. So when this tab has no formatter for the language yet, the moment shows as
// digits in the reader's time zone first, and the formatter is built after the frame that shows
// them has been painted; from then on the full date renders at once. A plain timeout was not
// enough: it ran between the commit that brought the profile's data and that frame's paint, so
// a new tab's profile showed its posts 30-40 ms later.
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

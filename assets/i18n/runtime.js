// Translation in the browser: looks a msgid up in the catalog of the current language.
// microblog/components/i18n.py turns t("Home") into t(<LocaleState.lang>, "Home"), importing
// this module, so React re-renders the text when the language var changes.
import catalogs, { justNow, relativeUnits } from "./catalogs.js";

// The key rx.LocalStorage keeps the visitor's choice under (microblog/state/locale.py).
const STORAGE_KEY = "microblog_lang";

// The language the page's HTML was drawn in: the prerender runs without the state, so in
// English. React's first render in the browser must draw the same text as that HTML (otherwise
// React throws the HTML away with error #418 and renders the page again from scratch), so until
// the page has hydrated a missing language means this one. LanguageSync (language_sync.js)
// then switches to the reader's language in the same frame.
export const DRAWN_LANG = "en";
let hydrated = false;

export function markHydrated() {
  hydrated = true;
}

// The visitor's choice kept in this browser, or "" (none, or storage disabled).
export function storedLang() {
  try {
    if (typeof window !== "undefined") return window.localStorage.getItem(STORAGE_KEY) || "";
  } catch (e) {
    // storage disabled: the server's choice will arrive with the state
  }
  return "";
}

export function currentLang(lang) {
  if (lang) return lang;
  if (!hydrated) return DRAWN_LANG;
  return storedLang() || DRAWN_LANG;
}

// The value of <html lang> for one of our languages: our Chinese is Simplified Chinese.
export function htmlLang(lang) {
  return lang === "zh" ? "zh-Hans" : lang || DRAWN_LANG;
}

function format(text, params) {
  return text.replace(/%\((\w+)\)[sd]/g, (whole, name) =>
    params && name in params && params[name] !== undefined && params[name] !== null
      ? String(params[name])
      : whole,
  );
}

export function t(lang, msgid, params) {
  const catalog = catalogs[currentLang(lang)];
  const found = catalog && catalog.messages[msgid];
  return format(typeof found === "string" && found ? found : msgid, params);
}

export function tn(lang, singular, plural, num, params) {
  const values = { ...(params || {}), num };
  const count = Number(num) || 0;
  const catalog = catalogs[currentLang(lang)];
  const forms = catalog && catalog.messages[singular];
  if (Array.isArray(forms)) {
    const form = forms[catalog.plural(count)];
    if (form) return format(form, values);
  }
  return format(count === 1 ? singular : plural, values);
}

// Relative times ("3 minutes ago", "hace 3 minutos", "3分钟前") from our own catalogs: the
// first Intl formatter of a page loads the browser's locale data inside a fresh page's first
// render (see microblog/i18n/relative_time.py for the units).
export function relativeTime(lang, iso) {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  const seconds = (Date.now() - when.getTime()) / 1000;
  if (seconds < 45) return t(lang, justNow);
  for (const [size, singular, plural] of relativeUnits) {
    if (seconds >= size) return tn(lang, singular, plural, Math.round(seconds / size));
  }
  return t(lang, justNow);
}

// A formatter per language, built on first use (they are slow to build).
const dateTimeFormats = new Map();

function dateTimeFormat(lang) {
  let found = dateTimeFormats.get(lang);
  if (!found) {
    found = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });
    dateTimeFormats.set(lang, found);
  }
  return found;
}

// The full date as the hover title of a relative time, written when the pointer arrives rather
// than at render: the first date formatter of a page loads the time zone data inside a new
// tab's first render, for a title nobody may ever look at. One handler per language, so
// React sees the same function on every render.
const titleHandlers = new Map();

export function dateTimeTitle(lang) {
  const key = currentLang(lang);
  let handler = titleHandlers.get(key);
  if (!handler) {
    handler = (event) => {
      const element = event.currentTarget;
      element.title = dateTime(key, element.getAttribute("datetime"));
    };
    titleHandlers.set(key, handler);
  }
  return handler;
}

// Whether this tab has built the language's formatter yet (see local_time.js).
export function dateTimeFormatReady(lang) {
  return dateTimeFormats.has(currentLang(lang));
}

function twoDigits(number) {
  return String(number).padStart(2, "0");
}

// The same moment as digits in the reader's time zone ("2026-11-21 20:15"), from the Date
// getters, which need no locale data: what shows until the formatter has been built.
export function numericDateTime(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  const day = `${when.getFullYear()}-${twoDigits(when.getMonth() + 1)}-${twoDigits(when.getDate())}`;
  return `${day} ${twoDigits(when.getHours())}:${twoDigits(when.getMinutes())}`;
}

// A full date and time in the reader's time zone and language.
export function dateTime(lang, iso) {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  return dateTimeFormat(currentLang(lang)).format(when);
}

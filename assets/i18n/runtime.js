// Translation in the browser: looks a msgid up in the catalog of the current language.
// microblog/components/i18n.py turns t("Home") into t(<LocaleState.lang>, "Home"), importing
// this module, so React re-renders the text when the language var changes.
import catalogs, { justNow, languages, loaders, relativeUnits } from "./catalogs.js";

// The key rx.LocalStorage keeps the visitor's choice under (microblog/state/locale.py).
const STORAGE_KEY = "microblog_lang";

// The production build's prerender writes every translated text in all our languages at once,
// between two private-use characters: PRERENDER_OPEN {"en": …, "es": …, "zh": …} PRERENDER_CLOSE.
// The build then turns each prerendered page into one page per language
// (microblog/web/page_languages.py) and the server sends the reader's; no mark reaches a
// browser. Each language's text is this module's own t() for that language, so the page a
// reader gets is exactly what their first render below draws. Vite sets import.meta.env in
// the bundles it builds (SSR: the server's; PROD: a production build); the dev server's
// server-side render stays plain English, since nothing there would take the marks out.
const BUILD = import.meta.env || {};
const PRERENDERING = Boolean(BUILD.SSR && BUILD.PROD);
const PRERENDER_OPEN = "\uE000";
const PRERENDER_CLOSE = "\uE001";
const MARKED = new RegExp(`${PRERENDER_OPEN}(.*?)${PRERENDER_CLOSE}`, "g");

// The language the page's HTML was drawn in: `data-drawn-lang` on <html>, which the server's
// page for that language carries, else English (the build's own pages, the dev server's). React's
// first render in the browser must draw the same text as that HTML (otherwise React throws the
// HTML away with error #418 and renders the page again from scratch), so until the page has
// hydrated a missing language means this one. LanguageSync (language_sync.js) then switches to
// the reader's stored choice in the same frame, when that is another language.
function drawnLang() {
  if (typeof document === "undefined") return "en";
  const drawn = document.documentElement.getAttribute("data-drawn-lang");
  return drawn && languages.includes(drawn) ? drawn : "en";
}
export const DRAWN_LANG = drawnLang();
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

// Each language but English is a module of its own (microblog/i18n/jsexport.py), loaded once,
// when a page first needs it; `catalogs` holds those loaded. A reader parses their own
// language's strings only.
const loading = new Map();

export function catalogLoaded(code) {
  return code in catalogs || !(code in loaders);
}

export function loadCatalog(code) {
  if (catalogLoaded(code)) return Promise.resolve(code);
  let found = loading.get(code);
  if (!found) {
    found = loaders[code]().then(
      (module) => {
        catalogs[code] = module.default;
        return code;
      },
      (error) => {
        // Offline, or a build replaced under the page: its text stays in the language it shows.
        // Kept as it is (the browser would not fetch a failed module again): one error a page.
        console.error(`The ${code} catalog could not be loaded`, error);
        return code;
      },
    );
    loading.set(code, found);
  }
  return found;
}

// The first render must draw the language of the server's HTML, and the one LanguageSync
// switches to in the same frame (the visitor's stored choice): both are loaded before any
// module that imports this one runs (top-level await). The page's loader has asked for the
// drawn language's module with the others (microblog/web/page_languages.py), so this waits on
// no extra request. The prerender writes every language.
await Promise.all(
  PRERENDERING ? languages.map(loadCatalog) : [DRAWN_LANG, storedLang()].map(loadCatalog),
);

// The language whose text the page shows: the one asked for once its catalog is loaded; until
// then the one shown before (a switch keeps the old words on screen for the moment the new
// catalog takes to load, rather than flashing English). LanguageSync renders the page again
// when it arrives.
let shownLang = DRAWN_LANG;

function readyLang(code) {
  if (catalogLoaded(code)) {
    shownLang = code;
    return code;
  }
  loadCatalog(code);
  return shownLang;
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

// A prerendered text in every language (see PRERENDER_OPEN); a parameter that is itself a
// prerendered text (t() inside t()) is taken in the same language.
function inEveryLanguage(translate, params) {
  const texts = {};
  for (const code of languages) {
    const own = {};
    for (const [name, value] of Object.entries(params || {})) {
      own[name] =
        typeof value === "string"
          ? value.replace(MARKED, (whole, inner) => JSON.parse(inner)[code])
          : value;
    }
    texts[code] = translate(code, own);
  }
  return PRERENDER_OPEN + JSON.stringify(texts) + PRERENDER_CLOSE;
}

function translated(code, msgid, params) {
  const catalog = catalogs[code];
  const found = catalog && catalog.messages[msgid];
  return format(typeof found === "string" && found ? found : msgid, params);
}

function pluralTranslated(code, singular, plural, num, params) {
  const values = { ...(params || {}), num };
  const count = Number(num) || 0;
  const catalog = catalogs[code];
  const forms = catalog && catalog.messages[singular];
  if (Array.isArray(forms)) {
    const form = forms[catalog.plural(count)];
    if (form) return format(form, values);
  }
  return format(count === 1 ? singular : plural, values);
}

export function t(lang, msgid, params) {
  if (PRERENDERING) {
    return inEveryLanguage((code, own) => translated(code, msgid, own), params);
  }
  return translated(readyLang(currentLang(lang)), msgid, params);
}

export function tn(lang, singular, plural, num, params) {
  if (PRERENDERING) {
    return inEveryLanguage((code, own) => pluralTranslated(code, singular, plural, num, own), params);
  }
  return pluralTranslated(readyLang(currentLang(lang)), singular, plural, num, params);
}

// A message that arrives as data (a notification's line): its msgid, plural msgid (or ""), count
// and params, translated like t/tn; `fallback` when there is no msgid (an announcement's words).
export function tMessage(lang, msgid, plural, num, params, fallback) {
  if (!msgid) return fallback;
  return plural ? tn(lang, msgid, plural, num, params) : t(lang, msgid, params);
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

// The full local date and time of a relative time ("3 minutes ago"), in a tooltip that shows
// while the time has the keyboard focus or the pointer, or after a tap (a touch screen has no
// hover), and that a screen reader reads as the time's description (aria-describedby). Escape,
// leaving the time or tapping elsewhere hides it. One tooltip element for the whole page, built
// on first use; the date is formatted when it is shown, not at render (the first date formatter
// of a page loads the time zone data inside a new tab's first render, for a date nobody may
// ever look at). One handler per language and event, so React sees the same functions on every
// render.
const TIP_ID = "time-tip";
const tipHandlers = new Map();
let tipOwner = null;

function showTip(lang, element) {
  const doc = element.ownerDocument;
  let tip = doc.getElementById(TIP_ID);
  if (!tip) {
    tip = doc.createElement("div");
    tip.id = TIP_ID;
    tip.className = "time-tip";
    tip.setAttribute("role", "tooltip");
    doc.body.appendChild(tip);
  }
  if (tipOwner && tipOwner !== element) tipOwner.removeAttribute("aria-describedby");
  tip.textContent = dateTime(lang, element.getAttribute("datetime"));
  tip.hidden = false;
  element.setAttribute("aria-describedby", TIP_ID);
  tipOwner = element;
  // Below the time, kept inside the viewport's width (a phone's edge).
  const view = doc.documentElement;
  const box = element.getBoundingClientRect();
  const left = Math.min(box.left, view.clientWidth - tip.offsetWidth - 8);
  tip.style.left = `${Math.max(8, left) + window.scrollX}px`;
  tip.style.top = `${box.bottom + 6 + window.scrollY}px`;
}

function hideTip(element) {
  if (tipOwner !== element) return;
  const tip = element.ownerDocument.getElementById(TIP_ID);
  if (tip) tip.hidden = true;
  element.removeAttribute("aria-describedby");
  tipOwner = null;
}

export function timeTip(lang, action) {
  const key = `${currentLang(lang)} ${action}`;
  let handler = tipHandlers.get(key);
  if (!handler) {
    const language = currentLang(lang);
    const show = (event) => showTip(language, event.currentTarget);
    const hide = (event) => hideTip(event.currentTarget);
    handler = {
      show,
      hide,
      // The pointer leaving does not hide what the keyboard focus or a tap opened.
      leave: (event) => {
        if (event.currentTarget !== event.currentTarget.ownerDocument.activeElement) hide(event);
      },
      key: (event) => {
        if (event.key === "Escape") hide(event);
      },
    }[action];
    tipHandlers.set(key, handler);
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

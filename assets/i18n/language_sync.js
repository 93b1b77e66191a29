// Keeps the page in the reader's language without a hydration mismatch.
//
// The first render in the browser draws the text in the language the HTML was drawn in
// (runtime.js DRAWN_LANG: the server sends each reader the build's page in their language,
// microblog/web/page_languages.py) so that React can adopt the server's HTML. Right after that
// render is committed, before the browser paints it, this component marks the page hydrated and,
// when the state has no language yet and the visitor's stored choice is another one (the server
// never sees it), gives it to LocaleState, so every translated text re-renders in it at once
// instead of waiting for the websocket's first answer. It also keeps <html lang> in step with
// the language (screen readers pick their voice from it; assets/i18n/html_lang.js has set it
// before the first paint), and renders the page again once the catalog of a language it was
// switched to has loaded (until then runtime.js keeps showing the previous language).
//
// Files under assets/ are bundled as they are, without JSX.
import { useContext, useEffect, useLayoutEffect } from "react";
import { DispatchContext } from "$/utils/context-registry";
import {
  catalogLoaded,
  currentLang,
  htmlLang,
  loadCatalog,
  markHydrated,
  storedLang,
  DRAWN_LANG,
} from "./runtime.js";

// A key of LocaleState's values that the server never sends: setting it gives every component
// that reads the language a new value, so each renders again, now with the loaded catalog.
// (Setting `lang` to the value it has would change nothing, and so render nothing.)
const CATALOG_KEY = "catalog_loaded";

export function LanguageSync({ lang, stateKey }) {
  const dispatch = useContext(DispatchContext);

  useLayoutEffect(() => {
    markHydrated();
    const stored = storedLang();
    if (!lang && stored && stored !== DRAWN_LANG) {
      const update = dispatch && dispatch[stateKey];
      if (typeof update === "function") update({ lang: stored });
    }
    // Once per page: later changes come through `lang`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useLayoutEffect(() => {
    // Only when it changes: writing the attribute, even with the value it already has, makes
    // the browser re-match the whole page's style (`:lang()`), a long task on a feed page.
    const wanted = htmlLang(currentLang(lang));
    if (document.documentElement.lang !== wanted) document.documentElement.lang = wanted;
  }, [lang]);

  useEffect(() => {
    const wanted = currentLang(lang);
    if (catalogLoaded(wanted)) return;
    // Each render reads the language it is in then, so a later switch needs no check here.
    loadCatalog(wanted).then(() => {
      const update = dispatch && dispatch[stateKey];
      if (catalogLoaded(wanted) && typeof update === "function") update({ [CATALOG_KEY]: wanted });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lang]);

  return null;
}

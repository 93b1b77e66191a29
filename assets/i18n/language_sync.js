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
// before the first paint).
//
// Files under assets/ are bundled as they are, without JSX.
import { useContext, useLayoutEffect } from "react";
import { DispatchContext } from "$/utils/context-registry";
import { currentLang, htmlLang, markHydrated, storedLang, DRAWN_LANG } from "./runtime.js";

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

  return null;
}

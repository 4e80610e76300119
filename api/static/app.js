/* Vraagbaak: zoekpagina. Plain JavaScript, no build step, no external resources. */
(() => {
  "use strict";

  const MAX_CHARS = 4000;
  const SLOW_MS = 8000;

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers
  // ---------------------------------------------------------------------------------------------

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  /** Create an element: el("p", {class: "x", text: "…"}, child, …). Text is always set as text. */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  // ---------------------------------------------------------------------------------------------
  // API access and readable Dutch error messages
  // ---------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(kind, status, detail) {
      super(detail || kind);
      this.kind = kind; // "http" | "network" | "abort" | "parse"
      this.status = status;
      this.detail = detail;
    }
  }

  async function api(method, path, body, signal) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: body ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" },
        body: body ? JSON.stringify(body) : undefined,
        signal,
      });
    } catch (err) {
      if (err && err.name === "AbortError") throw new ApiError("abort", 0, "");
      throw new ApiError("network", 0, String(err && err.message ? err.message : err));
    }
    let data = null;
    const text = await response.text().catch(() => "");
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (_) {
        data = null;
      }
    }
    if (!response.ok) {
      let detail = data && data.detail !== undefined ? data.detail : text.slice(0, 300);
      if (typeof detail !== "string") detail = JSON.stringify(detail);
      throw new ApiError("http", response.status, detail);
    }
    if (data === null) throw new ApiError("parse", response.status, "leeg of onleesbaar antwoord");
    return data;
  }

  /** Translate the API's (English) validation detail into Dutch where we recognise it. */
  function dutchDetail(detail, sentLength) {
    const d = String(detail || "");
    let m = d.match(/at most (\d+) characters/i);
    if (m) {
      const n = sentLength ? ` U stuurde ${sentLength.toLocaleString("nl-NL")} tekens.` : "";
      return `De tekst is te lang: maximaal ${Number(m[1]).toLocaleString("nl-NL")} tekens.${n} Kort de tekst in of zoek per deelvraag.`;
    }
    if (/empty|at least 1 character/i.test(d)) return "De vraag is leeg. Typ of plak eerst een vraag.";
    m = d.match(/\bk\b.*(less than or equal to|at most) (\d+)/i);
    if (m) return `Er kunnen hoogstens ${m[2]} resultaten per vraag worden opgevraagd.`;
    if (/\bk\b.*greater than or equal to/i.test(d)) return "Vraag ten minste één resultaat per vraag op.";
    return null;
  }

  function describeError(err, what, sentLength) {
    if (err.kind === "network") {
      return {
        title: `Geen verbinding met Vraagbaak bij het ${what}.`,
        text: "Controleer uw netwerkverbinding of de server draait, en probeer het opnieuw.",
      };
    }
    if (err.kind === "parse") {
      return { title: `Onverwacht antwoord van de server bij het ${what}.`, text: "Probeer het opnieuw." };
    }
    const s = err.status;
    const detail = err.detail ? `Melding van de server: ${err.detail}` : "";
    if (s === 422 || s === 400) {
      const nl = dutchDetail(err.detail, sentLength);
      return { title: `Uw zoekvraag kan zo niet worden verwerkt (fout ${s}).`, text: nl || "Controleer de invoer.", detail };
    }
    if (s === 404) return { title: "Niet gevonden (fout 404).", text: "Dit onderdeel bestaat niet (meer) in de bron.", detail };
    if (s === 429) return { title: "Te veel verzoeken (fout 429).", text: "Wacht even en probeer het opnieuw.", detail };
    if (s >= 500) {
      return {
        title: `Er ging iets mis op de server bij het ${what} (fout ${s}).`,
        text: "Probeer het over enkele ogenblikken opnieuw. Blijft dit gebeuren, meld het dan aan de beheerder.",
        detail,
      };
    }
    return { title: `Het ${what} is niet gelukt (fout ${s}).`, text: "Controleer de invoer en probeer het opnieuw.", detail };
  }

  function errorBox(info) {
    return el(
      "div",
      {},
      el("p", { class: "error-title", text: info.title }),
      el("p", { text: info.text }),
      info.detail ? el("p", { class: "error-detail", text: info.detail }) : null,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Highlighting: query words of 4+ letters, matched by a light Dutch stem as a word prefix
  // ---------------------------------------------------------------------------------------------

  const STOPWORDS = new Set(
    ("aan al alle alleen als andere ben bent bij daar daarbij daarin daarmee daarom dan dat de deze die dit doen " +
      "door een eens en er erop ermee geen gaan gaat graag had heb hebben heeft het hier hiervan hoe hoeveel " +
      "hun iets ik in is kan kon kunnen kunt maar meer met mij moet moeten na naar niet nog nu of om omdat ook op " +
      "over precies sinds te tegen toch tot u uit uw van vanuit veel voor waar waarbij waarin waarom waarop wanneer " +
      "wat we welk welke werd werden wie wij wil willen wilt worden wordt zal zich zij zijn zo zoals zou zouden " +
      "neemt nemen genomen doet komt komen krijgen geven gegeven staat stand zaken " +
      "zelf vind vindt weet weten mogelijk bereid bekend aangeven toelichten ervan hierover daarover onder tussen " +
      "what which when does have with that this from about there would could should").split(/\s+/),
  );
  const SUFFIXES = ["ingen", "heden", "ende", "eren", "ing", "en", "es", "er", "e", "s", "t"];

  function stem(word) {
    let w = word.toLocaleLowerCase("nl");
    for (const suf of SUFFIXES) {
      if (w.endsWith(suf) && w.length - suf.length >= 4) {
        w = w.slice(0, -suf.length);
        break;
      }
    }
    // verhuis/verhuiz, alternatiev/alternatief: drop a final consonant that changes with inflection
    if (w.length > 4 && /[szvfdt]$/.test(w)) w = w.slice(0, -1);
    // doubled consonant (bekk-en → bek)
    if (w.length > 4 && /([bcdfgklmnprt])\1$/.test(w)) w = w.slice(0, -1);
    return w;
  }

  function highlightTerms(query) {
    const words = String(query || "").match(/[\p{L}\p{N}]+/gu) || [];
    const terms = new Set();
    for (const word of words) {
      const lower = word.toLocaleLowerCase("nl");
      if (lower.length < 4 || STOPWORDS.has(lower) || /^\d+$/.test(lower)) continue;
      terms.add(stem(lower));
    }
    return Array.from(terms).sort((a, b) => b.length - a.length);
  }

  function termRegex(terms) {
    if (!terms.length) return null;
    const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join("|")})[\\p{L}\\p{N}]*`, "giu");
  }

  /** A fragment with text, where matches of re are wrapped in <mark>. */
  function highlighted(text, re) {
    const frag = document.createDocumentFragment();
    const s = String(text || "");
    if (!re) {
      frag.append(s);
      return frag;
    }
    re.lastIndex = 0;
    let last = 0;
    for (const m of s.matchAll(re)) {
      if (m.index > last) frag.append(s.slice(last, m.index));
      frag.append(el("mark", { text: m[0] }));
      last = m.index + m[0].length;
    }
    if (last < s.length) frag.append(s.slice(last));
    return frag;
  }

  function paragraphs(text, re, cls) {
    return String(text || "")
      .split(/\n+/)
      .filter((p) => p.trim())
      .map((p) => el("p", { class: cls }, highlighted(p, re)));
  }

  // ---------------------------------------------------------------------------------------------
  // People, titles and badges
  // ---------------------------------------------------------------------------------------------

  function personLabel(p) {
    const extra = [p.role, p.party].filter(Boolean);
    return extra.length ? `${p.name} (${extra.join(", ")})` : p.name;
  }

  function joinDutch(items) {
    if (items.length <= 1) return items.join("");
    return `${items.slice(0, -1).join(", ")} en ${items[items.length - 1]}`;
  }

  /** Title to show for a document: never a borrowed title when the header is missing. */
  function docTitle(info) {
    // info: a citation ({document_title, document_label, header_missing}) or a document ({title, label, header_missing})
    const title = info.document_title !== undefined ? info.document_title : info.title;
    const label = info.document_label !== undefined ? info.document_label : info.label;
    const missing = info.header_missing || !title;
    if (!missing) return { missing: false, title, opening: null };
    const opening = String(label || "").replace(/^\[kop ontbreekt\]\s*/, "");
    return { missing: true, title: "Kamervragen zonder titel", opening };
  }

  function answeredBadge(answered) {
    return answered
      ? el("span", { class: "badge badge-answered", text: "Beantwoord" })
      : el("span", { class: "badge badge-open", text: "Nog niet beantwoord" });
  }

  function headerMissingBadge() {
    return el("span", {
      class: "badge badge-warn",
      title: "De bron bevat geen kop met titel, indieners en bewindspersonen voor deze Kamervragen.",
      text: "Kop ontbreekt in bron",
    });
  }

  function peopleList(info, missing) {
    const dl = el("dl", { class: "meta" });
    if (missing && !info.ministers.length && !info.submitters.length) {
      dl.append(el("dt", { text: "Betrokkenen" }), el("dd", { text: "Niet vermeld: de kop ontbreekt in de bron." }));
      return dl;
    }
    dl.append(
      el("dt", { text: info.ministers.length > 1 ? "Bewindspersonen" : "Bewindspersoon" }),
      el("dd", { text: info.ministers.length ? joinDutch(info.ministers.map(personLabel)) : "Niet vermeld in de bron" }),
      el("dt", { text: info.submitters.length > 1 ? "Kamerleden" : "Kamerlid" }),
      el("dd", { text: info.submitters.length ? joinDutch(info.submitters.map(personLabel)) : "Niet vermeld in de bron" }),
    );
    return dl;
  }

  // ---------------------------------------------------------------------------------------------
  // Copy to clipboard, with a visible selected read-only field as fallback
  // ---------------------------------------------------------------------------------------------

  function copyBlock(text, { label = "Kopieer bronvermelding", fieldLabel = "Bronvermelding" } = {}) {
    const fieldId = nextId("kopie");
    const msg = el("span", { class: "copy-msg", role: "status", "aria-live": "polite" });
    const field = el("textarea", { id: fieldId, class: "copy-field", readonly: true, rows: 3 });
    const fallback = el(
      "div",
      { class: "copy-fallback", hidden: true },
      el("label", { for: fieldId, text: `${fieldLabel} (geselecteerd; kopieer met Ctrl+C of Cmd+C)` }),
      field,
    );
    let timer = null;
    const button = el("button", {
      type: "button",
      class: "btn btn-secondary btn-small btn-copy",
      text: label,
      onclick: async () => {
        const ok = await copyText(text, field, fallback);
        clearTimeout(timer);
        msg.textContent = ok ? "Gekopieerd" : "Automatisch kopiëren lukte niet: de tekst hieronder is geselecteerd, kopieer hem met Ctrl+C.";
        msg.classList.toggle("copy-ok", ok);
        if (ok) timer = setTimeout(() => (msg.textContent = ""), 5000);
      },
    });
    return el("div", { class: "copy-block" }, el("div", { class: "copy-row" }, button, msg), fallback);
  }

  async function copyText(text, field, fallback) {
    if (navigator.clipboard && typeof navigator.clipboard.writeText === "function" && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        fallback.hidden = true;
        return true;
      } catch (_) {
        /* fall through to the visible field */
      }
    }
    fallback.hidden = false;
    field.value = text;
    field.focus();
    field.select();
    field.setSelectionRange(0, text.length);
    try {
      return document.execCommand("copy");
    } catch (_) {
      return false;
    }
  }

  function citationBlock(citation) {
    return el(
      "div",
      { class: "citation" },
      el("p", { class: "citation-label", text: "Bronvermelding" }),
      el("p", { class: "citation-text", text: citation.text }),
      copyBlock(citation.text),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // "Toon meer" for long answers
  // ---------------------------------------------------------------------------------------------

  function clampable(content) {
    const wrap = el("div", { class: "clamp" }, content);
    const id = nextId("antw");
    content.id = id;
    const button = el("button", {
      type: "button",
      class: "btn btn-link btn-more",
      "aria-expanded": "false",
      "aria-controls": id,
      hidden: true,
      text: "Toon meer",
      onclick: () => {
        const open = wrap.classList.toggle("open");
        button.setAttribute("aria-expanded", String(open));
        button.textContent = open ? "Toon minder" : "Toon meer";
      },
    });
    return el("div", { class: "clamp-box" }, wrap, button);
  }

  /** Show "Toon meer" only where the text is actually cut off (must run when visible). */
  function measureClamps(root) {
    for (const box of $$(".clamp-box", root)) {
      const wrap = $(".clamp", box);
      const button = $(".btn-more", box);
      if (!wrap.offsetParent || wrap.classList.contains("open")) continue;
      const cut = wrap.scrollHeight > wrap.clientHeight + 4;
      button.hidden = !cut;
      wrap.classList.toggle("is-cut", cut);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Result cards
  // ---------------------------------------------------------------------------------------------

  function resultCard(hit, re, rank) {
    const c = hit.citation;
    const t = docTitle(c);
    const titleId = nextId("res");
    const head = el(
      "div",
      { class: "result-head" },
      el("div", { class: "badges" }, answeredBadge(hit.answered), t.missing ? headerMissingBadge() : null),
      el("h3", { class: "result-title", id: titleId }, el("span", { class: "rank" }, `${rank}. `), t.title, el("span", { class: "qnum", text: ` · vraag ${c.question_number}` })),
      t.missing ? el("p", { class: "doc-opening" }, "Kop ontbreekt in bron; de Kamervragen beginnen met: ", el("q", { text: t.opening })) : null,
    );

    const answerPart = hit.answer
      ? clampable(el("div", { class: "answer" }, paragraphs(hit.answer, re)))
      : el("p", { class: "no-answer", text: "Op deze vraag staat in de bron nog geen antwoord." });

    return el(
      "article",
      { class: `result ${hit.answered ? "is-answered" : "is-open"}`, "aria-labelledby": titleId, dataset: { pairId: hit.id, documentId: hit.document_id } },
      head,
      el("h4", { class: "part-label", text: "Eerdere vraag" }),
      el("div", { class: "question" }, paragraphs(hit.question, re)),
      el("h4", { class: "part-label", text: "Antwoord" }),
      answerPart,
      peopleList(c, t.missing),
      citationBlock(c),
      el(
        "div",
        { class: "result-actions" },
        el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { action: "pair", id: hit.id }, text: "Toon vraag en antwoord" }),
        el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { action: "document", id: hit.document_id, pair: hit.id }, text: "Open hele document" }),
      ),
    );
  }

  function resultList(hits, re) {
    return el("ol", { class: "result-list" }, hits.map((h, i) => el("li", {}, resultCard(h, re, i + 1))));
  }

  function percent(x) {
    return typeof x === "number" ? `${Math.round(x * 100)}%` : "onbekend";
  }

  function noMatchBlock(set, filtersActive, re) {
    const box = el(
      "div",
      { class: "nomatch" },
      el("h3", { class: "nomatch-title", text: "Geen eerder antwoord gevonden" }),
    );
    if (!set.results.length) {
      box.append(
        el("p", {
          text: filtersActive
            ? "Met de gekozen filters is er geen enkele eerdere vraag gevonden. Pas de filters aan of zet ze uit."
            : "Er is geen enkele eerdere vraag gevonden.",
        }),
      );
      return box;
    }
    box.append(
      el("p", {
        text:
          "Geen eerdere vraag lijkt genoeg op deze vraag om het antwoord te kunnen hergebruiken " +
          `(beste overeenkomst ${percent(set.top_dense_score)}). Deze vraag is waarschijnlijk niet eerder gesteld.`,
      }),
    );
    const details = el(
      "details",
      { class: "weak-results" },
      el("summary", { text: `Toon ${set.results.length} zwakke ${set.results.length === 1 ? "resultaat" : "resultaten"} (waarschijnlijk niet relevant)` }),
      el("p", { class: "weak-note", text: "Let op: deze resultaten lijken maar weinig op uw vraag en zijn waarschijnlijk niet bruikbaar." }),
      resultList(set.results, re),
    );
    details.addEventListener("toggle", () => measureClamps(details));
    box.append(details);
    return box;
  }

  // ---------------------------------------------------------------------------------------------
  // Page state and search
  // ---------------------------------------------------------------------------------------------

  const form = $("#zoekformulier");
  const textarea = $("#vraag");
  const counter = $("#vraag-teller");
  const button = $("#zoekknop");
  const buttonLabel = $(".btn-label", button);
  const statusEl = $("#status");
  const errorEl = $("#fout");
  const resultsEl = $("#resultaten");
  const selMinister = $("#filter-minister");
  const selParty = $("#filter-partij");
  const selSubmitter = $("#filter-kamerlid");
  const selK = $("#filter-aantal");
  const chkAnswered = $("#filter-beantwoord");

  const state = {
    controller: null,
    searched: false,
    features: { draft: null, commitments: null, similar: null }, // null: unknown, true/false once known
  };

  function setStatus(text, busy = false) {
    statusEl.replaceChildren();
    if (busy) statusEl.append(el("span", { class: "spinner", "aria-hidden": "true" }));
    if (text) statusEl.append(el("span", { text }));
    statusEl.classList.toggle("busy", busy);
  }

  function showError(info) {
    errorEl.replaceChildren(errorBox(info));
    errorEl.hidden = false;
  }

  function clearError() {
    errorEl.hidden = true;
    errorEl.replaceChildren();
  }

  function setLoading(on) {
    button.disabled = on;
    button.classList.toggle("loading", on);
    form.setAttribute("aria-busy", String(on));
    resultsEl.setAttribute("aria-busy", String(on));
    buttonLabel.textContent = on ? "Bezig met zoeken…" : "Zoeken";
  }

  function updateCounter() {
    const n = textarea.value.length;
    const over = n > MAX_CHARS;
    counter.textContent = `${n.toLocaleString("nl-NL")} / ${MAX_CHARS.toLocaleString("nl-NL")} tekens${over ? " – te lang" : ""}`;
    counter.classList.toggle("over", over);
  }

  function currentFilters() {
    return {
      minister: selMinister.value || null,
      party: selParty.value || null,
      submitter: selSubmitter.value || null,
      answered_only: chkAnswered.checked,
    };
  }

  function filtersActive(f) {
    return Boolean(f.minister || f.party || f.submitter || f.answered_only);
  }

  async function runSearch() {
    const raw = textarea.value;
    clearError();
    if (!raw.trim()) {
      showError({ title: "Er is nog geen vraag.", text: "Typ of plak eerst een vraag in het tekstvak." });
      textarea.focus();
      return;
    }
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;

    const filters = currentFilters();
    const k = Number(selK.value) || 10;
    const body = { question: raw, k, split: true, answered_only: filters.answered_only };
    for (const key of ["minister", "party", "submitter"]) if (filters[key]) body[key] = filters[key];

    setLoading(true);
    setStatus("Bezig met zoeken…", true);
    const slow = setTimeout(() => {
      if (state.controller === controller) setStatus("Bezig met zoeken… dit duurt langer dan gewoonlijk.", true);
    }, SLOW_MS);

    let data;
    try {
      data = await api("POST", "/search", body, controller.signal);
    } catch (err) {
      if (err.kind === "abort") return;
      setStatus("");
      showError(describeError(err, "zoeken", raw.length));
      return;
    } finally {
      clearTimeout(slow);
      if (state.controller === controller) {
        state.controller = null;
        setLoading(false);
      }
    }
    state.searched = true;
    const sections = renderResults(data, filters);
    if (raw.length < 1500) {
      const url = new URL(window.location.href);
      url.searchParams.set("q", raw);
      history.replaceState(null, "", url);
    }
    loadExtras(raw, filters, sections, controller);
  }

  function renderResults(data, filters) {
    const sets = Array.isArray(data.questions) && data.questions.length ? data.questions : [data];
    const multi = sets.length > 1;
    const active = filtersActive(filters);
    const sections = [];
    resultsEl.replaceChildren();

    if (multi) {
      resultsEl.append(
        el(
          "nav",
          { class: "toc", "aria-label": "Deelvragen" },
          el("p", { class: "toc-title", text: `${sets.length} deelvragen herkend` }),
          el(
            "ol",
            {},
            sets.map((s, i) =>
              el("li", {}, el("a", { href: `#deelvraag-${i + 1}` }, s.query), s.no_relevant_match ? el("span", { class: "toc-none", text: " – geen eerder antwoord" }) : null),
            ),
          ),
        ),
      );
    }

    let total = 0;
    let none = 0;
    let weak = 0;
    sets.forEach((set, i) => {
      const re = termRegex(highlightTerms(set.query));
      const headingId = `deelvraag-${i + 1}-kop`;
      const section = el("section", { class: "subquestion", id: `deelvraag-${i + 1}`, "aria-labelledby": headingId, tabindex: "-1" });
      if (multi) {
        section.append(
          el("h2", { id: headingId, class: "sub-heading" }, el("span", { class: "sub-num", text: `Deelvraag ${i + 1} van ${sets.length}` }), el("span", { class: "sub-text", text: set.query })),
        );
      } else {
        section.append(el("h2", { id: headingId, class: "sub-heading" }, el("span", { class: "sub-num", text: "Resultaten" })));
      }
      const extras = el("div", { class: "extras" });
      section.append(extras);
      if (set.no_relevant_match) {
        none += 1;
        weak += set.results.length;
        section.append(noMatchBlock(set, active, re));
      } else {
        total += set.results.length;
        section.append(resultList(set.results, re));
      }
      resultsEl.append(section);
      sections.push({ query: set.query, section, extras, results: set.results, noMatch: set.no_relevant_match });
    });

    measureClamps(resultsEl);

    const parts = [];
    if (multi) parts.push(`${sets.length} deelvragen`);
    if (total || !none) parts.push(`${total} ${total === 1 ? "resultaat" : "resultaten"}`);
    if (none) parts.push(multi ? `${none} zonder eerder antwoord` : "geen eerder antwoord gevonden");
    if (weak) parts.push(`${weak} zwakke ${weak === 1 ? "treffer" : "treffers"} ingeklapt`);
    if (active) parts.push("filters actief");
    setStatus(`Klaar: ${parts.join(", ")}.`);
    return sections;
  }

  // ---------------------------------------------------------------------------------------------
  // Conceptantwoord (POST /draft) and Toezeggingen (GET /commitments): only when the API has them
  // ---------------------------------------------------------------------------------------------

  async function detectFeatures() {
    try {
      const spec = await api("GET", "/openapi.json");
      const paths = spec && spec.paths ? spec.paths : {};
      state.features.draft = Boolean(paths["/draft"] && paths["/draft"].post);
      state.features.commitments = Boolean(paths["/commitments"] && paths["/commitments"].get);
      state.features.similar = Boolean(paths["/similar"] && paths["/similar"].post);
    } catch (_) {
      /* unknown: try them and hide on 404 */
    }
  }

  function loadExtras(question, filters, sections, controller) {
    if (state.features.similar !== false) sections.forEach((s) => loadSimilar(s, controller));
    if (state.features.draft !== false) loadDraft(question, sections, controller, filtersActive(filters));
    if (state.features.commitments !== false) {
      sections.forEach((s) => loadCommitments(s, filters, controller));
    }
  }

  function panel(cls, title) {
    const headingId = nextId("paneel");
    const body = el("div", { class: "extra-body" });
    const box = el("section", { class: `extra ${cls}`, "aria-labelledby": headingId }, el("h3", { id: headingId, class: "extra-title", text: title }), body);
    return { box, body };
  }

  async function loadDraft(question, sections, controller, filtered) {
    const slots = sections.map((s) => {
      const p = panel("draft", "Conceptantwoord");
      p.body.append(el("p", { class: "muted" }, el("span", { class: "spinner", "aria-hidden": "true" }), " Concept wordt opgesteld…"));
      s.extras.prepend(p.box);
      return p;
    });
    let data;
    try {
      data = await api("POST", "/draft", { question }, controller.signal);
    } catch (err) {
      if (err.kind === "abort") return;
      if (err.kind === "http" && (err.status === 404 || err.status === 405)) {
        state.features.draft = false;
        slots.forEach((p) => p.box.remove());
        return;
      }
      const info = describeError(err, "opstellen van het concept");
      slots.forEach((p) => p.body.replaceChildren(el("div", { class: "error inline-error" }, errorBox(info))));
      return;
    }
    if (controller.signal.aborted) return;
    state.features.draft = true;
    const drafts = Array.isArray(data.questions) ? data.questions : [];
    if (drafts.length === sections.length) {
      drafts.forEach((d, i) => slots[i].body.replaceChildren(draftView(d, sections[i], `${i + 1}`, filtered)));
    } else {
      // the draft split the text differently: show all drafts in the first panel
      slots.slice(1).forEach((p) => p.box.remove());
      slots[0].body.replaceChildren(
        ...drafts.map((d, i) => el("div", { class: "draft-group" }, el("h4", { text: d.question }), draftView(d, sections[0], `${i + 1}`, filtered))),
      );
    }
  }

  function draftView(d, section, key, filtered) {
    const wrap = el("div", { class: "draft-view" });
    const backend = d.backend === "llm" ? "opgesteld door een taalmodel uit eerdere antwoorden" : "samengesteld uit zinnen van eerdere antwoorden";
    wrap.append(el("p", { class: "muted draft-note", text: `Concept, ${backend}. Controleer elke zin in de bron voordat u hem gebruikt.` }));
    if (filtered) wrap.append(el("p", { class: "muted draft-note", text: "De filters gelden niet voor het concept: het gebruikt alle beantwoorde vragen." }));
    for (const w of d.warnings || []) wrap.append(el("p", { class: "warning", text: `Let op: ${w}` }));
    if (d.no_relevant_match || !d.sources || !d.sources.length) {
      wrap.append(el("p", { class: "draft-empty", text: "Geen concept: er is geen eerder antwoord gevonden dat deze vraag beantwoordt." }));
      return wrap;
    }
    const srcId = (n) => `bron-${key}-${n}`;
    const text = el("p", { class: "draft-text" });
    (d.sentences || []).forEach((s, i) => {
      if (i) text.append(" ");
      text.append(s.text);
      for (const n of s.markers || []) {
        text.append(
          " ",
          el("a", {
            href: `#${srcId(n)}`,
            class: "marker",
            "aria-label": `bron ${n}`,
            text: `[${n}]`,
            onclick: (ev) => {
              ev.preventDefault();
              jumpTo(document.getElementById(srcId(n)), section, d.sources.find((x) => x.n === n));
            },
          }),
        );
      }
    });
    wrap.append(text);
    const plain = `${d.draft}\n\nBronnen:\n${d.sources.map((s) => `[${s.n}] ${s.citation.text}`).join("\n")}`;
    wrap.append(copyBlock(plain, { label: "Kopieer concept met bronnen", fieldLabel: "Concept met bronnen" }));
    wrap.append(el("h4", { class: "part-label", text: "Bronnen van het concept" }));
    wrap.append(
      el(
        "ol",
        { class: "draft-sources" },
        d.sources.map((s) =>
          el(
            "li",
            { id: srcId(s.n), tabindex: "-1", class: "draft-source" },
            el("span", { class: "src-n", text: `[${s.n}]` }),
            el(
              "div",
              {},
              el("p", { class: "src-question", text: s.question }),
              el("p", { class: "citation-text", text: s.citation.text }),
              el(
                "div",
                { class: "result-actions" },
                el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { action: "pair", id: s.pair_id }, text: "Toon vraag en antwoord" }),
                copyBlock(s.citation.text),
              ),
            ),
          ),
        ),
      ),
    );
    return wrap;
  }

  function jumpTo(target, section, source) {
    if (!target) return;
    target.scrollIntoView({ behavior: "smooth", block: "center" });
    target.focus({ preventScroll: true });
    flash(target);
    if (source && section) {
      const card = $(`article.result[data-pair-id="${CSS.escape(source.pair_id)}"]`, section.section);
      if (card) flash(card);
    }
  }

  function flash(node) {
    node.classList.remove("flash");
    void node.offsetWidth; // restart the animation
    node.classList.add("flash");
    setTimeout(() => node.classList.remove("flash"), 2500);
  }

  // "Eerder gesteld?" (POST /similar): a banner when essentially the same question was asked before
  async function loadSimilar(s, controller) {
    let data;
    try {
      data = await api("POST", "/similar", { question: s.query }, controller.signal);
    } catch (err) {
      if (err.kind === "http" && (err.status === 404 || err.status === 405)) state.features.similar = false;
      return; // the banner is a bonus: stay quiet on errors, the results are still there
    }
    if (controller.signal.aborted || !data || !data.asked_before || !data.matches || !data.matches.length) return;
    state.features.similar = true;
    const m = data.matches[0];
    const p = panel("similar", "Eerder gesteld");
    const open = el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { action: "pair", id: m.id }, text: "Toon die vraag en het antwoord" });
    p.body.append(
      el("p", { text: `Deze vraag lijkt sterk op een eerder gestelde vraag (${Math.round(100 * m.similarity)}% overeenkomst)${m.answered ? ", die al is beantwoord" : ", die nog niet is beantwoord"}:` }),
      el("blockquote", { class: "similar-question", text: m.question }),
      citationBlock(m.citation),
      open,
    );
    s.extras.prepend(p.box);
  }

  async function loadCommitments(s, filters, controller) {
    const p = panel("commitments", "Toezeggingen");
    s.extras.append(p.box);
    if (s.noMatch || !s.results.length) {
      p.box.classList.add("is-empty");
      p.body.append(el("p", { class: "muted", text: "Geen: er is geen eerder antwoord gevonden bij deze vraag." }));
      return;
    }
    p.body.append(el("p", { class: "muted" }, el("span", { class: "spinner", "aria-hidden": "true" }), " Toezeggingen worden gezocht…"));
    // Only commitments made in the answers this search found are relevant to the question; the endpoint
    // ranks every commitment in the corpus by similarity, so ask for plenty and keep those.
    const params = new URLSearchParams({ q: s.query, limit: "200" });
    if (filters.minister) params.set("minister", filters.minister);
    let data;
    try {
      data = await api("GET", `/commitments?${params}`, null, controller.signal);
    } catch (err) {
      if (err.kind === "abort") return;
      if (err.kind === "http" && (err.status === 404 || err.status === 405)) {
        state.features.commitments = false;
        $$(".extra.commitments").forEach((n) => n.remove());
        return;
      }
      p.body.replaceChildren(el("div", { class: "error inline-error" }, errorBox(describeError(err, "zoeken van toezeggingen"))));
      return;
    }
    if (controller.signal.aborted) return;
    state.features.commitments = true;
    const found = new Set(s.results.map((h) => h.id));
    const items = (Array.isArray(data.commitments) ? data.commitments : []).filter((c) => found.has(c.pair_id));
    if (!items.length) {
      p.box.classList.add("is-empty");
      p.body.replaceChildren(el("p", { class: "muted", text: "Geen toezeggingen of weigeringen in de gevonden antwoorden." }));
      return;
    }
    const re = termRegex(highlightTerms(s.query));
    const nC = items.filter((c) => c.kind !== "refusal").length;
    const nR = items.length - nC;
    const counts = [
      nC ? `${nC} ${nC === 1 ? "toezegging" : "toezeggingen"}` : null,
      nR ? `${nR} ${nR === 1 ? "weigering" : "weigeringen"}` : null,
    ].filter(Boolean);
    // Collapsed: the results come first; the summary says what is inside.
    const title = $(".extra-title", p.box);
    const summary = el("summary", { class: "extra-summary" }, title, el("span", { class: "summary-count", text: `${counts.join(" en ")} in de gevonden antwoorden` }));
    const details = el("details", { class: "extra-details" }, summary, p.body);
    p.box.replaceChildren(details);
    // Say who found them: the offline rules miss part of the commitments in new text (README, measured figures).
    const by = typeof data.classifier === "string" && data.classifier.startsWith("llm-")
      ? "Herkend door het taalmodel."
      : "Herkend met vaste taalregels; die missen een deel van de toezeggingen.";
    p.body.replaceChildren(
      el("p", { class: "muted", text: `De best passende eerst. ${by}` }),
      el(
        "ul",
        { class: "commitment-list" },
        items.map((c) =>
          el(
            "li",
            { class: `commitment ${c.kind === "refusal" ? "is-refusal" : "is-commitment"}`, dataset: { pairId: c.pair_id } },
            el(
              "div",
              { class: "badges" },
              c.kind === "refusal"
                ? el("span", { class: "badge badge-refusal", text: "Weigering/niet uitvoerbaar" })
                : el("span", { class: "badge badge-commitment", text: "Toezegging" }),
              el("span", { class: `term ${c.term ? "" : "term-none"}`, text: c.term ? `Termijn: ${c.term}` : "Geen termijn genoemd" }),
            ),
            c.who_text || (c.who && c.who.length)
              ? el("p", { class: "who", text: `Door ${c.who_text || joinDutch(c.who)}` })
              : null,
            el("p", { class: "commitment-text" }, highlighted(c.text, re)),
            c.what && c.what.length < 0.8 * c.text.length ? el("p", { class: "muted what", text: `Strekking: ${c.what}` }) : null,
            c.citation ? el("p", { class: "citation-text", text: c.citation.text }) : null,
            el(
              "div",
              { class: "result-actions" },
              c.pair_id ? el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { action: "pair", id: c.pair_id }, text: "Toon vraag en antwoord" }) : null,
              c.citation ? copyBlock(c.citation.text) : null,
            ),
          ),
        ),
      ),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Side panel: one pair, or a whole document
  // ---------------------------------------------------------------------------------------------

  const dialog = $("#paneel");
  const dialogTitle = $("#paneel-titel");
  const dialogBody = $("#paneel-inhoud");
  let opener = null;
  let panelSeq = 0;

  function openPanel(title, from) {
    opener = from || document.activeElement;
    dialogTitle.textContent = title;
    dialogBody.replaceChildren(el("p", { class: "muted", role: "status" }, el("span", { class: "spinner", "aria-hidden": "true" }), " Bezig met laden…"));
    if (!dialog.open) dialog.showModal();
    return ++panelSeq;
  }

  function docHeader(doc) {
    const t = docTitle(doc);
    const frag = el("div", { class: "doc-header" });
    frag.append(el("div", { class: "badges" }, t.missing ? headerMissingBadge() : null));
    frag.append(el("p", { class: "doc-title", text: t.title }));
    if (t.missing) {
      frag.append(
        el("p", { class: "doc-opening" }, "De bron heeft voor deze Kamervragen geen kop (titel, indieners, bewindspersonen). Ze beginnen met: ", el("q", { text: t.opening })),
      );
    }
    frag.append(peopleList(doc, t.missing));
    return frag;
  }

  // Open the side panel and fetch its content; null when it failed (error shown) or another panel replaced it.
  async function loadPanel(title, from, path, what) {
    const seq = openPanel(title, from);
    try {
      const data = await api("GET", path);
      return seq === panelSeq ? data : null;
    } catch (err) {
      if (seq === panelSeq) dialogBody.replaceChildren(el("div", { class: "error" }, errorBox(describeError(err, what))));
      return null;
    }
  }

  async function showPair(id, from) {
    const data = await loadPanel("Vraag en antwoord", from, `/pairs/${encodeURIComponent(id)}`, "openen van de vraag");
    if (!data) return;
    const { pair, document: doc, citation } = data;
    const answered = Array.isArray(pair.answer_paragraphs) && pair.answer_paragraphs.length > 0;
    const body = el("div", { class: "pair-view" });
    body.append(docHeader(doc));
    body.append(el("div", { class: "badges" }, answeredBadge(answered)));
    body.append(el("h3", { class: "part-label", text: `Vraag ${pair.number}` }), el("div", { class: "question" }, paragraphs(pair.question, null)));
    body.append(el("h3", { class: "part-label", text: "Antwoord" }));
    if (answered) {
      body.append(el("div", { class: "answer" }, pair.answer_paragraphs.map((p) => el("p", { text: p }))));
      if (pair.resolved_answer && pair.answer && pair.resolved_answer.trim() !== pair.answer.trim()) {
        body.append(
          el(
            "div",
            { class: "resolved" },
            el("p", { class: "part-label", text: "Dit antwoord verwijst naar een ander antwoord. Met de tekst waarnaar verwezen wordt:" }),
            el("div", { class: "answer" }, paragraphs(pair.resolved_answer, null)),
          ),
        );
      }
    } else {
      body.append(el("p", { class: "no-answer", text: "Op deze vraag staat in de bron nog geen antwoord." }));
    }
    if (citation) body.append(citationBlock(citation));
    body.append(
      el(
        "div",
        { class: "result-actions" },
        el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { action: "document", id: doc.id, pair: pair.id }, text: "Open hele document" }),
      ),
    );
    dialogBody.replaceChildren(body);
    dialogBody.focus();
  }

  async function showDocument(id, pairId, from) {
    const data = await loadPanel("Hele document", from, `/documents/${encodeURIComponent(id)}`, "openen van het document");
    if (!data) return;
    const { document: doc, pairs } = data;
    const answeredCount = pairs.filter((p) => p.answer_paragraphs && p.answer_paragraphs.length).length;
    const body = el("div", { class: "document-view" });
    body.append(docHeader(doc));
    body.append(
      el("p", {
        class: "muted",
        text: `${pairs.length} ${pairs.length === 1 ? "vraag" : "vragen"}, waarvan ${answeredCount} beantwoord.`,
      }),
    );
    let current = null;
    body.append(
      el(
        "ol",
        { class: "doc-pairs" },
        pairs.map((p) => {
          const answered = p.answer_paragraphs && p.answer_paragraphs.length > 0;
          const li = el(
            "li",
            { id: `doc-${p.id}`, class: `doc-pair${p.id === pairId ? " current" : ""}`, tabindex: "-1", dataset: { pairId: p.id } },
            el("h3", { class: "doc-pair-title" }, `Vraag ${p.number} `, answeredBadge(answered), p.id === pairId ? el("span", { class: "badge badge-current", text: "Uit uw resultaten" }) : null),
            el("div", { class: "question" }, paragraphs(p.question, null)),
            answered
              ? el("div", { class: "answer" }, el("p", { class: "part-label", text: "Antwoord" }), p.answer_paragraphs.map((t) => el("p", { text: t })))
              : el("p", { class: "no-answer", text: "Nog geen antwoord in de bron." }),
          );
          if (p.id === pairId) current = li;
          return li;
        }),
      ),
    );
    dialogBody.replaceChildren(body);
    if (current) {
      current.scrollIntoView({ block: "start" });
      current.focus({ preventScroll: true });
    } else {
      dialogBody.focus();
    }
  }

  function closePanel() {
    if (dialog.open) dialog.close();
  }

  dialog.addEventListener("close", () => {
    panelSeq++;
    if (opener && document.contains(opener)) opener.focus();
    opener = null;
  });
  dialog.addEventListener("click", (ev) => {
    if (ev.target === dialog) closePanel(); // click on the backdrop
  });
  $("#paneel-sluiten").addEventListener("click", closePanel);

  // Buttons inside results, drafts and the panel itself (delegated: the content is re-rendered).
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-action]");
    if (!btn) return;
    const from = dialog.contains(btn) ? opener : btn;
    if (btn.dataset.action === "pair") showPair(btn.dataset.id, from);
    else if (btn.dataset.action === "document") showDocument(btn.dataset.id, btn.dataset.pair, from);
  });

  // ---------------------------------------------------------------------------------------------
  // Facets, health, events
  // ---------------------------------------------------------------------------------------------

  function fillSelect(select, values) {
    for (const v of values) select.append(el("option", { value: v, text: v }));
  }

  async function loadFacets() {
    try {
      const f = await api("GET", "/facets");
      fillSelect(selMinister, f.ministers || []);
      fillSelect(selParty, f.parties || []);
      fillSelect(selSubmitter, f.submitters || []);
    } catch (err) {
      showError({ title: "De filters konden niet worden geladen.", text: "Zoeken werkt wel, maar zonder filterkeuzes.", detail: describeError(err, "laden van de filters").title });
    }
  }

  async function loadHealth() {
    try {
      const h = await api("GET", "/health");
      const when = h.index_built_at ? new Date(h.index_built_at) : null;
      const date = when && !Number.isNaN(when.getTime()) ? `, index bijgewerkt op ${when.toLocaleDateString("nl-NL", { day: "numeric", month: "long", year: "numeric" })}` : "";
      $("#index-info").textContent =
        `Vraagbaak doorzoekt ${h.documents} sets Kamervragen met ${h.pairs} vragen, waarvan ${h.answered} beantwoord${date}. ` +
        "Controleer een antwoord altijd in de bron voordat u het gebruikt.";
    } catch (_) {
      /* the footer keeps its default text */
    }
  }

  textarea.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.ctrlKey && !ev.altKey && !ev.metaKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("input", updateCounter);

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    runSearch();
  });

  for (const control of [selMinister, selParty, selSubmitter, selK, chkAnswered]) {
    control.addEventListener("change", () => {
      if (state.searched && textarea.value.trim()) runSearch();
    });
  }

  $("#wisknop").addEventListener("click", () => {
    if (state.controller) state.controller.abort();
    state.controller = null;
    setLoading(false);
    textarea.value = "";
    updateCounter();
    resultsEl.replaceChildren();
    clearError();
    setStatus("");
    state.searched = false;
    const url = new URL(window.location.href);
    url.searchParams.delete("q");
    history.replaceState(null, "", url);
    textarea.focus();
  });

  window.addEventListener("resize", () => measureClamps(resultsEl));

  async function init() {
    updateCounter();
    const q = new URLSearchParams(window.location.search).get("q");
    await Promise.all([loadFacets(), detectFeatures()]);
    loadHealth();
    document.body.dataset.ready = "true";
    if (q) {
      textarea.value = q;
      updateCounter();
      runSearch();
    }
  }

  init();
})();

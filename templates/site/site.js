/* The study site's one script. The index: a search over every question. A section page: a
   level filter, a search, flashcard mode, and links to single cards. What a page shows lives in
   its URL (?level=…&q=…&mode=cards, #card-id), so a link or a bookmark keeps it. */
"use strict";

const params = new URLSearchParams(location.search);
const contains = (text, query) => text.toLowerCase().includes(query.toLowerCase());

/** Put the current filters into the address bar without reloading or adding history. */
function setParam(name, value) {
  if (value) params.set(name, value);
  else params.delete(name);
  const url = new URL(location.href);
  url.search = params.toString();
  history.replaceState(null, "", url);
}

function indexPage() {
  const search = document.getElementById("search");
  const groups = [...document.querySelectorAll(".found")];
  const found = document.getElementById("found");
  const update = () => {
    const query = search.value.trim();
    let shown = 0;
    for (const group of groups) {
      const items = [...group.querySelectorAll("li")];
      for (const item of items) item.hidden = !contains(item.querySelector("a").textContent, query);
      const matching = items.filter((item) => !item.hidden).length;
      group.hidden = matching === 0;
      shown += matching;
    }
    found.textContent = query ? `${shown} question${shown === 1 ? "" : "s"}` : "";
    document.getElementById("results").hidden = !query;
    document.getElementById("sections").hidden = Boolean(query);
    setParam("q", query);
  };
  search.value = params.get("q") || "";
  search.addEventListener("input", update);
  update();
}

function sectionPage() {
  const levels = document.body.dataset.levels.split(" ");
  const cards = [...document.querySelectorAll(".card")];
  const level = document.getElementById("level");
  const search = document.getElementById("q");
  const count = document.getElementById("count");
  let order = cards; // flashcard order: the page's, until shuffled
  let current = 0; // the flashcard shown, as an index into the cards the filters admit

  /** "senior" admits senior cards only; "up-to-senior" junior to senior. */
  const admits = (card) => {
    const wanted = levels.indexOf(level.value.replace(/^up-to-/, ""));
    const rank = levels.indexOf(card.dataset.level);
    const levelOk = !level.value || rank === wanted || (level.value.startsWith("up-to-") && rank <= wanted);
    const query = search.value.trim();
    return levelOk && (!query || contains(card.querySelector(".question").textContent, query));
  };
  const flashcards = () => document.body.classList.contains("flashcards");
  const shown = () => order.filter(admits);

  const reveal = (card, open = true) => {
    card.classList.toggle("revealed", open);
    const button = card.querySelector(".reveal");
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Hide answer" : "Show answer";
  };

  /** Show what the filters and the mode select: every admitted card, or the current one. */
  const render = () => {
    const visible = shown();
    for (const card of cards) card.hidden = flashcards() ? card !== visible[current] : !admits(card);
    const total = `${visible.length} card${visible.length === 1 ? "" : "s"}`;
    count.textContent = visible.length === 0 ? "No card matches." : flashcards() ? `${current + 1} of ${total}` : total;
    document.getElementById("mode").textContent = flashcards() ? "List" : "Flashcards";
  };

  /** Move to the flashcard at `index` (wrapping round), question first; a list just updates. */
  const go = (index) => {
    const visible = shown();
    current = visible.length ? (index + visible.length) % visible.length : 0;
    render();
    if (flashcards() && visible.length) {
      reveal(visible[current], false);
      // Focus follows the card, so that Space or Enter turns it over rather than pressing the
      // button just clicked, and a screen reader reads the new card.
      visible[current].focus({ preventScroll: true });
    }
  };

  const setMode = (on) => {
    document.body.classList.toggle("flashcards", on);
    setParam("mode", on ? "cards" : "");
    go(current);
  };

  const filtersChanged = () => {
    setParam("level", level.value);
    setParam("q", search.value.trim());
    go(0);
  };

  /** #card-id opens that card, revealed, clearing any filter that would hide it. */
  const openLinked = () => {
    const card = document.getElementById(location.hash.slice(1));
    if (!card || !cards.includes(card)) return;
    if (!admits(card)) {
      level.value = search.value = "";
      setParam("level", "");
      setParam("q", "");
    }
    current = shown().indexOf(card);
    reveal(card);
    render();
    card.scrollIntoView({ block: "start" });
  };

  document.getElementById("controls").addEventListener("submit", (event) => event.preventDefault());
  level.addEventListener("change", filtersChanged);
  search.addEventListener("input", filtersChanged);
  document.getElementById("mode").addEventListener("click", () => setMode(!flashcards()));
  document.getElementById("previous").addEventListener("click", () => go(current - 1));
  document.getElementById("next").addEventListener("click", () => go(current + 1));
  document.getElementById("shuffle").addEventListener("click", () => {
    order = [...cards];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    go(0);
  });
  for (const card of cards) {
    card.querySelector(".reveal").addEventListener("click", (event) => {
      event.stopPropagation();
      reveal(card, !card.classList.contains("revealed"));
    });
    // A flashcard turns over on a click or tap anywhere on it, except on its links.
    card.addEventListener("click", (event) => {
      if (flashcards() && !event.target.closest("a")) reveal(card);
    });
  }
  document.addEventListener("keydown", (event) => {
    const turn = event.key === " " || event.key === "Enter";
    // Typing stays typing, and Space or Enter on a link or a button keeps its own meaning.
    const own = event.target.closest(turn ? "a, button, input, select, textarea" : "input, select, textarea");
    const actions = { ArrowRight: () => go(current + 1), ArrowLeft: () => go(current - 1), " ": () => reveal(shown()[current]), Enter: () => reveal(shown()[current]) };
    if (!flashcards() || own || event.altKey || event.ctrlKey || event.metaKey || !actions[event.key] || !shown().length) return;
    event.preventDefault(); // Space would scroll the page
    actions[event.key]();
  });
  window.addEventListener("hashchange", openLinked);

  level.value = params.get("level") || "";
  search.value = params.get("q") || "";
  setMode(params.get("mode") === "cards");
  openLinked();
}

// From here on the search shows, and answers wait to be revealed (site.css).
document.documentElement.classList.add("scripted");
if (document.body.dataset.page === "index") indexPage();
else sectionPage();

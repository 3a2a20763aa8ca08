// An in-memory stand-in for the Rust side, for UI tests in a plain browser. It answers the same commands
// with the same shapes (see ui/src/lib/ipc/bindings.ts), and records every call in window.__calls.
import { mockIPC } from "/__tauri_mocks.js";

const now = "2026-11-25T12:00:00Z";
const state = { kind: null, contacts: [], nextId: 1, queries: [], sources: [], mentions: [], triageLog: [], alerts: { notify: true, badge: true }, rules: [], ownHandles: [] };

function mention(id, text, extra = {}) {
  return {
    id, source_id: 1, source_kind: "feed", source_name: "Local news", external_id: `m${id}`, url: null,
    author_name: "Someone", author_handle: null, author_url: null, author_followers: null, title: null, text,
    published_at: now, fetched_at: now, likes: null, reposts: null, replies: null, state: "new", filed_as: null,
    snoozed_until: null, sentiment: 0, sentiment_label: "neutral", intents: ["other"], lang: "en", urgency: 0.1,
    priority: 0.1, irrelevance: 0, contact_id: null, contact_name: null, queries: [], ...extra,
  };
}
// A test can seed the inbox with window.__seedMentions() before opening it.
window.__seedMentions = () => {
  state.mentions.push(
    mention(101, "Looking for a good bike shop near the station", { intents: ["lead"], urgency: 0.4 }),
    mention(102, '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> Still waiting for my refund', {
      url: null, sentiment: -0.5, sentiment_label: "negative", intents: ["complaint"], urgency: 0.8,
      author_name: '<b onmouseover="window.__pwned=3">Mallory</b>',
    }),
  );
};
// Where sign-ins would go; a test can set window.__secrets before the page loads its screens.
window.__secrets = { persistence: "keychain", problem: null };
window.__passwords = [];
window.__calls = [];

function summary(c) {
  return {
    id: c.id,
    display_name: c.display_name,
    organization: c.organization,
    title: c.title,
    email: c.emails[0]?.address ?? null,
    phone: c.phones[0]?.number ?? null,
    tags: c.tags,
  };
}

function contact(input, id) {
  const name = input.display_name || [input.given_name, input.family_name].filter(Boolean).join(" ");
  if (!name) throw { code: "invalid_input", message: "a contact needs a name, an organization, an email or a phone" };
  return {
    ...input,
    id,
    display_name: name,
    has_photo: false,
    keep_in_touch_days: null,
    last_touch_at: null,
    next_touch_due: null,
    created_at: now,
    updated_at: now,
    deleted_at: null,
    merged_into_id: null,
  };
}

function fold(s) {
  return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function info() {
  return { path: "/tmp/fake.db", contacts: state.contacts.length, kind: state.kind, business_name: null, currency: "USD", locale: "en-US", recovered_from_unclean_shutdown: false };
}

// Customer value: a small dashboard and Today, and what the owner saved (window.__saved: [name, bytes]).
window.__saved = [];
const ltv = { revenue_minor: 24000, refunds_minor: 1000, net_minor: 23000, margin_minor: 9200, service_cost_minor: 500, forward_minor: 4000, total_minor: 12700, orders: 3, orders_per_year: 3, first_order_at: "2026-01-10T10:00:00Z", last_order_at: "2026-10-10T10:00:00Z" };
const dashboard = {
  from: "2025-11-26T00:00:00Z", to: "2026-11-26T00:00:00Z", time_zone: "Europe/London",
  nps: { score: 25, promoters: 2, passives: 1, detractors: 1, responses: 4 },
  nps_by_month: [{ month: "2026-09", score: 0, responses: 2 }, { month: "2026-10", score: 50, responses: 2 }],
  promoters: [{ contact_id: 1, name: "Ana Lima", score: 10, answered_at: "2026-10-01T09:00:00Z" }],
  detractors: [{ contact_id: 2, name: "=HYPERLINK(\"http://evil\")", score: 3, answered_at: "2026-09-01T09:00:00Z" }],
  revenue: { currency: "USD", gross: 280, refunds: 40, net: 240, gross_minor: 28000, refunds_minor: 4000, net_minor: 24000, orders: 5, customers: 2, other_currency_orders: 0 },
  share_of_conversation: [
    { brand: "Bean There", kind: "brand", mentions: 30, reach: 1000, engagement: 10, share: 0.3, share_by_reach: 0.25, share_by_engagement: 0.25, net_sentiment: 0.5 },
    { brand: "Rival Roasters", kind: "competitor", mentions: 70, reach: 3000, engagement: 30, share: 0.7, share_by_reach: 0.75, share_by_engagement: 0.75, net_sentiment: -0.2 },
  ],
  conversation_by_week: [{ week: "2026-11-16", brand: "Bean There", mentions: 30, net_sentiment: 0.5 }, { week: "2026-11-16", brand: "Rival Roasters", mentions: 70, net_sentiment: -0.2 }],
  response_time: { items: 3, acted_on: 2, replied: 1, first_action_median_minutes: 10, first_action_p90_minutes: 30, first_reply_median_minutes: 60, first_reply_p90_minutes: 60 },
  lead_conversion: { leads: 4, converted: 1, rate: 0.25, revenue: 70, revenue_minor: 7000 },
  retention: { customers: 2, repeat_customers: 2, repeat_purchase_rate: 1, churn_rate: 0, churn_days: 180, cohorts: [{ month: "2026-01", customers: 1, retained: [1, 1, 0] }] },
  ideas: 3, followers: [{ source_id: 1, account: "@shop on Bluesky", day: "2026-11-20", followers: 320 }, { source_id: 1, account: "@shop on Bluesky", day: "2026-11-25", followers: 331 }], segments: [{ segment: "champion", contacts: 1 }, { segment: "everyone", contacts: 5 }], at_risk: 1,
};
const member = { contact: { id: 1, display_name: "Ana Lima", organization: null, title: null, email: "ana@example.com", phone: null, tags: [] }, lifetime_value: "127.00", lifetime_influence: 90, lifetime_activity: 4.5, segment: "champion", at_risk: "has an open issue" };

const handlers = {
  // With window.__oldData, everything recorded lies in Aug-Oct 2025: a later period is empty.
  metrics_get: ({ from, to }) => {
    if (!window.__oldData) return { ...dashboard, first_data_at: "2025-01-10T10:00:00Z", last_data_at: "2026-11-25T10:00:00Z" };
    const span = { first_data_at: "2025-08-01T10:00:00Z", last_data_at: "2025-10-10T16:00:00Z" };
    if (from <= "2025-10-10" && to >= "2025-08-01") return { ...dashboard, ...span };
    return {
      ...dashboard, ...span,
      nps: { score: null, promoters: 0, passives: 0, detractors: 0, responses: 0 }, nps_by_month: [], promoters: [], detractors: [],
      revenue: { ...dashboard.revenue, gross: 0, refunds: 0, net: 0, gross_minor: 0, refunds_minor: 0, net_minor: 0, orders: 0, customers: 0 },
      share_of_conversation: [], conversation_by_week: [],
      response_time: { items: 0, acted_on: 0, replied: 0, first_action_median_minutes: null, first_action_p90_minutes: null, first_reply_median_minutes: null, first_reply_p90_minutes: null },
      lead_conversion: { leads: 0, converted: 0, rate: null, revenue: 0, revenue_minor: 0 }, ideas: 0,
    };
  },
  segment_members: () => [member],
  today_get: () => ({
    urgent: state.mentions.filter((m) => m.urgency >= 0.7),
    follow_ups: [{ id: 7, contact_id: 1, contact_name: "Ana Lima", title: "Call Ana about the grinder", due_at: now, done_at: null, created_at: now }],
    reconnect: [], triggers: [], detractors: [{ contact_id: 2, name: "Bo Chen", score: 3, comment: "slow", answered_at: now }], at_risk: [member],
  }),
  contact_brief: ({ id }) => ({
    value: { contact_id: id, lifetime_value: ltv, value_percentile: 95, influence_raw: 4.2, lifetime_influence: 90, lifetime_activity: 4.5, segment: "champion", at_risk: [] },
    currency: "USD", nps: [], orders: [{ id: 1, source: "shopify", external_id: "5001", kind: "sale", contact_id: id, placed_at: "2026-10-10T10:00:00Z", status: "paid", currency: "USD", amount: "100.00", refunded: "0.00", email: null, phone: null, name: null, description: "Espresso grinder", unmatched: null }],
    open_cases: [], company_news: [],
  }),
  nps_record: () => 1,
  value_config_get: () => ({ value: { gross_margin_bp: 4000, service_costs: { call: 0, email: 0, visit: 0, social_reply: 0, case: 0 }, horizon_years: 1, churn_days: 180, influence: { default_reach: 100, engagement: 5, reply: 0.5, sentiment: 0.5, half_life_days: 365 }, activity_half_life_days: 180, high_percentile: 80 }, opening_hours: { openings: [] }, time_zone: "Europe/London", currency: "USD" }),
  value_config_set: ({ config }) => config,
  orders_waiting: () => [],
  file_save: (body) => {
    window.__saved.push(body);
    return "/home/owner/export";
  },
  workspace_info: () => info(),
  workspace_start: ({ start }) => ((state.kind = start), info()),
  contacts_page: ({ offset, limit }) => ({
    total: state.contacts.length,
    offset,
    rows: [...state.contacts].sort((a, b) => fold(a.display_name).localeCompare(fold(b.display_name))).slice(offset, offset + limit).map(summary),
  }),
  contacts_search: ({ query }) => {
    const words = fold(query).split(/\W+/).filter(Boolean);
    return state.contacts
      .filter((c) => words.every((w) => fold([c.display_name, c.organization ?? "", ...c.emails.map((e) => e.address)].join(" ")).split(/\W+/).some((t) => t.startsWith(w))))
      .map(summary);
  },
  contact_create: ({ input }) => {
    const c = contact(input, state.nextId++);
    state.contacts.push(c);
    return c;
  },
  contact_photo: () => null,
  contact_get: ({ id }) => {
    const c = state.contacts.find((x) => x.id === id);
    if (!c) throw { code: "not_found", message: `contact ${id} does not exist` };
    return { contact: c, notes: [], activities: [], tasks: [], mentions: [] };
  },
  tags_list: () => [],
  imports_list: () => [],
  import_preview: () => ({ file_name: "people.vcf", format: "vcard", table: null, cards: 2 }),
  secrets_status: () => window.__secrets,
  diagnostics_get: () => ({
    text: [
      "Earshot diagnostics",
      "This report holds: Earshot's version and system, the workspace's schema version, each listening source's kind, host and state, and the last lines of the log.",
      `Sources (${state.sources.length}):`,
      ...state.sources.map((s) => `  #${s.id} ${s.kind} ${new URL(s.url).host} — ${s.status}`),
    ].join("\n"),
    log_dir: "/home/owner/.local/share/app.earshot.desktop/logs",
  }),
  queries_list: () => state.queries,
  own_handles_list: () => state.ownHandles,
  own_handles_set: ({ handles }) => {
    const seen = new Set();
    state.ownHandles = handles.map((h) => h.trim()).filter((h) => {
      const key = h.replace(/^@/, "").toLowerCase();
      if (!key || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return state.ownHandles;
  },
  query_preview: ({ query }) => {
    if (query.trim().startsWith("-")) throw { code: "invalid_input", message: `query "${query}": the query only leaves things out: add at least one word to listen for` };
    return { understood_as: fold(query), matching: 0, examples: [] };
  },
  query_add: ({ kind, query }) => {
    const q = { id: state.nextId++, kind, query, created_at: now, mentions: 0 };
    state.queries.push(q);
    return q;
  },
  query_remove: ({ id }) => {
    state.queries = state.queries.filter((q) => q.id !== id);
  },
  sources_list: () => state.sources,
  source_add_bluesky: ({ handle, appPassword }) => {
    window.__passwords.push(appPassword);
    const s = { id: state.nextId++, kind: "bluesky", name: `@${handle} on Bluesky`, url: "https://pds.example", config: "{}", status: "new", paused_reason: null, next_check_at: now, not_before: null, last_checked_at: null, last_success_at: null, last_error: null, failing_since: null, failures: 0, parse_failures: 0, items_seen: 0, mentions: 0, notice: null, demo: false };
    state.sources.push(s);
    return s;
  },
  source_check_now: () => null,
  mentions_list: () => state.mentions,
  mentions_inbox: ({ filter }) => {
    const open = state.mentions.filter((m) => m.state === "new");
    const items = (filter.state === "open" ? open : state.mentions).map((m) => ({ ...m, learned: null }));
    return { items, open: open.length, urgent: open.filter((m) => m.urgency >= 0.7).length, learned_from: state.triageLog.length };
  },
  mention_triage: ({ input }) => {
    const filed = ["lead", "issue", "praise", "idea", "question"].includes(input.decision);
    const states = { done: "done", ignore: "ignored", snooze: "snoozed" };
    const before = input.ids.map((id) => ({ ...state.mentions.find((m) => m.id === id) }));
    state.triageLog.push(before);
    for (const m of state.mentions.filter((x) => input.ids.includes(x.id))) {
      m.state = filed ? "filed" : states[input.decision];
      m.filed_as = filed ? input.decision : null;
    }
    return { batch: state.triageLog.length, decided: [] };
  },
  mention_undo: () => {
    const before = state.triageLog.pop();
    if (!before) return null;
    for (const b of before) Object.assign(state.mentions.find((m) => m.id === b.id), b);
    return { batch: state.triageLog.length + 1, action: "lead", mention_ids: before.map((b) => b.id), replies_already_sent: [] };
  },
  outbox_list: () => [],
  mention_suggest_contacts: () => [],
  // The reasons the model would give: its first word toward the mention's sentiment, and a cue per intent.
  mention_explain: ({ id }) => {
    const m = state.mentions.find((x) => x.id === id);
    const word = m.text.split(/\s+/).at(-1);
    return {
      sentiment: [{ feature: word, weight: m.sentiment < 0 ? -1.1 : 0.4 }],
      intents: m.intents.filter((i) => i !== "other").map((intent) => ({ intent, reasons: [{ feature: `a ${intent} phrase`, weight: 1.3 }] })),
    };
  },
  people_list: () =>
    state.mentions
      .filter((m) => m.contact_id === null)
      .map((m) => ({ network: m.source_kind, name: m.author_name, handle: m.author_handle, profile_url: null, followers: m.author_followers, mentions: 1, sentiment: m.sentiment, last_heard_at: m.fetched_at, latest_mention_id: m.id })),
  mention_create_contact: ({ id }) => {
    const m = state.mentions.find((x) => x.id === id);
    const c = contact({ display_name: m.author_name, given_name: "", family_name: "", organization: null, title: null, city: null, website: null, birthday: null, emails: [], phones: [], identities: [], tags: [] }, state.nextId++);
    state.contacts.push(c);
    m.contact_id = c.id;
    m.contact_name = c.display_name;
    return c.id;
  },
  rules_list: () => state.rules,
  rule_add: ({ input }) => {
    if (input.field === "sentiment" && !["positive", "neutral", "negative"].includes(input.value)) {
      throw { code: "invalid_input", message: `sentiment "${input.value}" is not positive, neutral or negative` };
    }
    const r = { id: state.nextId++, ...input, created_at: now };
    state.rules.push(r);
    return r;
  },
  rule_remove: ({ id }) => {
    state.rules = state.rules.filter((r) => r.id !== id);
  },
  alerts_get: () => state.alerts,
  alerts_set: ({ alerts }) => (state.alerts = alerts),
  import_run: () => {
    for (const name of ["Ann Lee", "Bob Day"]) state.contacts.push(contact({ display_name: name, given_name: "", family_name: "", organization: null, title: null, city: null, website: null, birthday: null, emails: [], phones: [], identities: [], tags: [] }, state.nextId++));
    return { id: 1, file_name: "people.vcf", format: "vcard", started_at: now, finished_at: now, added: 2, merged: 0, unchanged: 0, rejected: 1, warnings: 0, problems: [{ line: 9, severity: "error", reason: "the card has no name, organization, email or phone" }], undone_at: null };
  },
};

mockIPC(
  (cmd, args) => {
    window.__calls.push(cmd);
    const handler = handlers[cmd];
    if (!handler) throw { code: "not_found", message: `the fake backend has no ${cmd}` };
    return handler(args ?? {});
  },
  { shouldMockEvents: true },
);

// The fixed shape of the simulated media group: its web sites, its apps and the sections each publishes.
// Static on purpose: the seed varies the articles, people and behaviour, never the group itself.

/** A section: a desk that publishes articles on one site (and in the group's apps). */
export const SECTIONS = [
  'news',
  'politics',
  'business',
  'tech',
  'science',
  'opinion',
  'culture',
  'football',
  'motorsport',
  'food',
  'travel',
] as const;
export type Section = (typeof SECTIONS)[number];

/** A web site of the group. */
export interface Site {
  readonly id: string;
  readonly name: string;
  readonly domain: string;
  readonly sections: readonly Section[];
}

/** The group's three web sites; every section belongs to exactly one. */
export const SITES: readonly Site[] = [
  {
    id: 'daily',
    name: 'The Northwind Daily',
    domain: 'www.northwind-daily.example',
    sections: ['news', 'politics', 'business', 'tech', 'science', 'opinion', 'culture'],
  },
  { id: 'pitchside', name: 'Pitchside', domain: 'www.pitchside.example', sections: ['football', 'motorsport'] },
  { id: 'hearth', name: 'Hearth & Table', domain: 'www.hearthandtable.example', sections: ['food', 'travel'] },
];

/** The site that publishes a section. */
export function siteOf(section: Section): Site {
  return SITE_BY_SECTION.get(section) as Site;
}
const SITE_BY_SECTION = new Map<Section, Site>(SITES.flatMap((site) => site.sections.map((s) => [s, site] as const)));

/** The group's native app (iOS and Android) carries every section of every site. */
export const APP = {
  name: 'Northwind News',
  namespace: 'com.northwind.news',
  version: '7.4.1',
  build: '7410',
} as const;

/** Authors per section (three each, so author-level analyses have something to group). */
export const AUTHORS: Readonly<Record<Section, readonly string[]>> = {
  news: ['Maya Okafor', 'Tom Brennan', 'Leila Haddad'],
  politics: ['Jonas Weber', 'Priya Raman', 'Carl Lindqvist'],
  business: ['Sofia Marques', 'Daniel Cho', 'Hannah Berg'],
  tech: ['Ines Duarte', 'Kwame Mensah', 'Rui Tanaka'],
  science: ['Ada Novak', 'Felix Grün', 'Nadia Petrova'],
  opinion: ['Oliver Grant', 'Amara Eze', 'Lucia Romano'],
  culture: ['Elise Moreau', 'Sam Whitfield', 'Yara Nasser'],
  football: ['Diego Alvarez', 'Chris Doyle', 'Marta Kowalska'],
  motorsport: ['Luca Bianchi', 'Emma Schultz', 'Raj Patel'],
  food: ['Noor Rahman', 'Julia Castro', 'Ben Ashworth'],
  travel: ['Clara Jensen', 'Omar Farouk', 'Ella Fitzgerald'],
};

/** Topic words per section: article tags, headline nouns and search queries come from here. */
export const TOPICS: Readonly<Record<Section, readonly string[]>> = {
  news: ['storm', 'rail strike', 'housing', 'wildfire', 'court ruling', 'hospital', 'transport', 'crime'],
  politics: ['election', 'budget', 'parliament', 'coalition', 'referendum', 'minister', 'tax reform', 'polls'],
  business: ['inflation', 'interest rates', 'earnings', 'startups', 'energy prices', 'merger', 'jobs', 'markets'],
  tech: ['ai', 'smartphones', 'cybersecurity', 'chips', 'social media', 'electric cars', 'privacy', 'cloud'],
  science: ['climate', 'space', 'vaccines', 'fossils', 'oceans', 'genetics', 'physics', 'ai research'],
  opinion: ['editorial', 'letters', 'column', 'debate', 'analysis', 'satire', 'essay', 'viewpoint'],
  culture: ['film', 'music', 'books', 'theatre', 'festival', 'television', 'art', 'gaming'],
  football: ['transfer', 'champions league', 'derby', 'injury', 'manager', 'world cup', 'goals', 'relegation'],
  motorsport: ['grand prix', 'qualifying', 'championship', 'pit stop', 'rally', 'le mans', 'team orders', 'motogp'],
  food: ['recipes', 'baking', 'vegetarian', 'restaurants', 'wine', 'street food', 'budget meals', 'chefs'],
  travel: ['city breaks', 'beaches', 'rail travel', 'hiking', 'islands', 'hotels', 'road trips', 'ski'],
};

/** Words mixed into headlines so titles differ within a topic. */
export const HEADLINE_VERBS = [
  'what we know about',
  'the truth about',
  'inside',
  'why',
  'five things on',
  'live:',
  'the week in',
  'analysis:',
  'how',
  'explained:',
] as const;

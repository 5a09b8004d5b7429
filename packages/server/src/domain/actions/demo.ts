import type { AgencyId, ApplicationId, Role, UserId } from '@enlets/protocol';
import { newId, newToken } from '../../lib/secrets.js';
import { insertAgency } from '../../storage/repositories/agencies.js';
import { insertApplication, markApplicationVerified } from '../../storage/repositories/applications.js';
import { countUsers, findUserByEmail, grantRole, insertUser } from '../../storage/repositories/users.js';
import { appendAudit } from '../audit.js';
import { checkPasswordPolicy } from '../password-policy.js';
import { inTransaction, type Services, type Trx } from '../services.js';

/**
 * The demo network: a plausible ENLETS for trying the product and for end-to-end tests. Everything in it is
 * fictional (people, addresses); agency names are real so the directory reads like the real one.
 *
 * - 28 countries: the 27 EU member states and Norway (Iceland, Liechtenstein and Switzerland are left out), each
 *   with one NCP (role `ncp`, scope = country code); 11 of them form the Core Group (role `core_group`).
 * - One Secretariat admin, DEMO_ADMIN_EMAIL.
 * - 2-3 real agencies in each of 11 countries, and three LEA members per such country spread over them.
 * - The six TIGs of 2022 as `tig_lead` grants on six members, scoped by a slug (`tig-counter-uas`, …): the TIG
 *   table comes with a later issue, whose migration maps these slugs to TIG ids.
 * - Six verified applications waiting for their country's NCP.
 *
 * All demo accounts share one password (printed once by the CLI), hashed once: Argon2id is deliberately slow.
 */
export const DEMO_ADMIN_EMAIL = 'admin@demo.enlets.eu';
const DEMO_DOMAIN = 'demo.enlets.eu';
const DEMO_ADMIN_NAME = 'Secretariat Admin (demo)';

/** [country code, NCP name]: all EU member states and Norway. */
const NCPS = [
  ['AT', 'Markus Huber'],
  ['BE', 'Sofie Peeters'],
  ['BG', 'Georgi Petrov'],
  ['HR', 'Ivana Kovačić'],
  ['CY', 'Andreas Georgiou'],
  ['CZ', 'Tomáš Novák'],
  ['DK', 'Mette Jensen'],
  ['EE', 'Kristjan Tamm'],
  ['FI', 'Aino Virtanen'],
  ['FR', 'Claire Martin'],
  ['DE', 'Katrin Vogel'],
  ['GR', 'Nikos Papadopoulos'],
  ['HU', 'Zsófia Nagy'],
  ['IE', 'Ciarán Murphy'],
  ['IT', 'Giulia Rossi'],
  ['LV', 'Jānis Bērziņš'],
  ['LT', 'Rūta Kazlauskienė'],
  ['LU', 'Luc Schmit'],
  ['MT', 'Maria Borg'],
  ['NL', 'Pieter de Vries'],
  ['PL', 'Agnieszka Kowalska'],
  ['PT', 'João Ferreira'],
  ['RO', 'Andrei Popescu'],
  ['SK', 'Martin Horváth'],
  ['SI', 'Nina Novak'],
  ['ES', 'Carlos García'],
  ['SE', 'Erik Lindqvist'],
  ['NO', 'Ingrid Hansen'],
] as const;

const CORE_GROUP: readonly string[] = ['AT', 'BE', 'DE', 'ES', 'FI', 'FR', 'IT', 'NL', 'PL', 'PT', 'SE'];

/** Agencies per country; the NCP works at the first one. */
const AGENCIES: Readonly<Record<string, readonly string[]>> = {
  AT: ['Bundeskriminalamt', 'Landespolizeidirektion Wien'],
  BE: ['Police fédérale / Federale Politie', 'Institut National de Criminalistique et de Criminologie'],
  DE: ['Bundeskriminalamt', 'Bundespolizei', 'Landeskriminalamt Nordrhein-Westfalen'],
  ES: ['Guardia Civil', 'Policía Nacional', "Mossos d'Esquadra"],
  FI: ['Poliisi – Keskusrikospoliisi', 'Rajavartiolaitos'],
  FR: ['Police nationale', 'Gendarmerie nationale'],
  IT: ['Polizia di Stato', 'Arma dei Carabinieri', 'Guardia di Finanza'],
  NL: ['Politie Nederland', 'Koninklijke Marechaussee', 'Nederlands Forensisch Instituut'],
  PL: ['Policja – Komenda Główna Policji', 'Centralne Biuro Śledcze Policji', 'Straż Graniczna'],
  PT: ['Polícia Judiciária', 'Guarda Nacional Republicana'],
  SE: ['Polismyndigheten', 'Tullverket'],
};

/** Three members for each country with agencies; the i-th member works at agency i (mod the count). */
const MEMBERS: Readonly<Record<string, readonly [string, string, string]>> = {
  AT: ['Stefan Gruber', 'Lena Bauer', 'Florian Wimmer'],
  BE: ['Thomas Maes', 'Julie Lambert', 'Lars Claes'],
  DE: ['Jonas Becker', 'Laura Schneider', 'Felix Wagner'],
  ES: ['Lucía Martínez', 'Javier López', 'Marta Sánchez'],
  FI: ['Mikko Korhonen', 'Laura Mäkinen', 'Juha Nieminen'],
  FR: ['Julien Bernard', 'Camille Dubois', 'Nicolas Petit'],
  IT: ['Marco Bianchi', 'Francesca Romano', 'Luca Colombo'],
  NL: ['Sanne Jansen', 'Daan Bakker', 'Lotte Visser'],
  PL: ['Piotr Nowak', 'Katarzyna Wiśniewska', 'Tomasz Wójcik'],
  PT: ['Ana Santos', 'Rui Oliveira', 'Inês Costa'],
  SE: ['Anna Johansson', 'Karl Nilsson', 'Sara Eriksson'],
};

const POSITIONS = [
  'Digital forensics analyst',
  'Head of the innovation unit',
  'Drone countermeasures specialist',
  'Financial investigator',
  'Operational centre coordinator',
  'Mobile solutions architect',
  'Public order commander',
  'Procurement officer',
] as const;

/** The 2022 TIGs and the member who leads each (by display name). */
const TIG_LEADS = [
  ['tig-public-order', 'Public Order', 'Sanne Jansen'],
  ['tig-counter-uas', 'Counter-UAS', 'Felix Wagner'],
  ['tig-operational-centres', 'Operational Centres', 'Mikko Korhonen'],
  ['tig-mobile-solutions', 'Mobile Solutions/Digital Workplace', 'Thomas Maes'],
  ['tig-financial-investigations', 'Financial Investigations', 'Luca Colombo'],
  ['tig-procurement', 'Procurement', 'Sara Eriksson'],
] as const;

/** [country, name, agency (listed) or free-text agency name, position] of the pending applications. */
const APPLICATIONS = [
  ['DE', 'Miriam Hoffmann', 'Landeskriminalamt Nordrhein-Westfalen', 'Cybercrime investigator'],
  ['PL', 'Michał Lewandowski', 'Centralne Biuro Śledcze Policji', 'OSINT analyst'],
  ['NL', 'Bram Mulder', 'Douane Nederland', 'Scanning technology specialist'],
  ['FR', 'Élodie Moreau', 'Gendarmerie nationale', 'Head of the drone unit'],
  ['ES', 'Pablo Fernández', 'Guardia Civil', 'Body-worn camera project lead'],
  ['CZ', 'Lucie Dvořáková', 'Policie České republiky', 'Innovation officer'],
] as const;

export interface DemoCounts {
  readonly countries: number;
  readonly ncps: number;
  readonly coreGroup: number;
  readonly agencies: number;
  readonly members: number;
  readonly tigLeads: number;
  readonly applications: number;
}

export type DemoSeedResult =
  | {
      readonly seeded: true;
      readonly adminEmail: string;
      /** The one password of every demo account: print it once, never log it. */
      readonly password: string;
      readonly counts: DemoCounts;
    }
  | { readonly seeded: false; readonly reason: 'already_seeded' | 'not_empty' };

export interface DemoSeedOptions {
  /** The shared password; a random one when absent. */
  readonly password?: string;
  /** Seed only into a database without any account (`serve --demo-if-empty`). */
  readonly onlyIfEmpty?: boolean;
}

/** An ASCII e-mail local part from a name: "Michał Lewandowski" → "michal.lewandowski". */
function emailSlug(name: string): string {
  return name
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '.')
    .replace(/^\.|\.$/g, '');
}

function demoEmail(name: string): string {
  return `${emailSlug(name)}@${DEMO_DOMAIN}`;
}

async function skipReason(
  db: Services['db'] | Trx,
  onlyIfEmpty: boolean,
): Promise<'already_seeded' | 'not_empty' | undefined> {
  if (await findUserByEmail(db, DEMO_ADMIN_EMAIL)) return 'already_seeded';
  if (onlyIfEmpty && (await countUsers(db)) > 0) return 'not_empty';
  return undefined;
}

/**
 * Seeds the demo network in one transaction (audited as `demo.seeded`). Idempotent: a database that has the
 * demo admin already is left alone.
 */
export async function seedDemoNetwork(
  services: Services,
  options: DemoSeedOptions = {},
): Promise<DemoSeedResult> {
  const onlyIfEmpty = options.onlyIfEmpty ?? false;
  const early = await skipReason(services.db, onlyIfEmpty);
  if (early !== undefined) return { seeded: false, reason: early };

  const password = options.password ?? `demo-${newToken().slice(0, 16)}`;
  checkPasswordPolicy(password, DEMO_ADMIN_EMAIL, DEMO_ADMIN_NAME);
  const passwordHash = await services.passwords.hash(password);

  return inTransaction(services, async (trx) => {
    const reason = await skipReason(trx, onlyIfEmpty);
    if (reason !== undefined) return { seeded: false, reason };
    const now = services.clock.now();

    const addUser = async (
      user: {
        email: string;
        name: string;
        country: string | null;
        agency: AgencyId | null;
        position: string;
      },
      roles: ReadonlyArray<readonly [Role, string]>,
    ): Promise<UserId> => {
      const id = newId<UserId>();
      await insertUser(trx, {
        id,
        email: user.email,
        displayName: user.name,
        countryCode: user.country,
        agencyId: user.agency,
        position: user.position,
        status: 'active',
        passwordHash,
        now,
      });
      for (const [role, scope] of roles) await grantRole(trx, id, { role, scope }, null, now);
      return id;
    };

    const adminId = await addUser(
      {
        email: DEMO_ADMIN_EMAIL,
        name: DEMO_ADMIN_NAME,
        country: null,
        agency: null,
        position: 'Secretariat',
      },
      [['secretariat_admin', '']],
    );

    const agencyIds = new Map<string, AgencyId[]>();
    const agencyByName = new Map<string, AgencyId>();
    for (const [country, names] of Object.entries(AGENCIES)) {
      const ids: AgencyId[] = [];
      for (const name of names) {
        const id = newId<AgencyId>();
        await insertAgency(trx, { id, countryCode: country, name, now });
        ids.push(id);
        agencyByName.set(`${country}/${name}`, id);
      }
      agencyIds.set(country, ids);
    }

    for (const [country, name] of NCPS) {
      const roles: Array<readonly [Role, string]> = [['ncp', country]];
      if (CORE_GROUP.includes(country)) roles.push(['core_group', '']);
      await addUser(
        {
          email: `ncp.${country.toLowerCase()}@${DEMO_DOMAIN}`,
          name,
          country,
          agency: agencyIds.get(country)?.[0] ?? null,
          position: 'National Contact Point',
        },
        roles,
      );
    }

    const tigOf = new Map<string, string>(TIG_LEADS.map(([slug, , lead]) => [lead, slug]));
    let members = 0;
    for (const [country, names] of Object.entries(MEMBERS)) {
      const agencies = agencyIds.get(country) ?? [];
      for (const [i, name] of names.entries()) {
        const tig = tigOf.get(name);
        const roles: Array<readonly [Role, string]> = [['lea_member', '']];
        if (tig !== undefined) roles.push(['tig_lead', tig]);
        await addUser(
          {
            email: demoEmail(name),
            name,
            country,
            agency: agencies[i % Math.max(1, agencies.length)] ?? null,
            position: POSITIONS[members % POSITIONS.length] ?? 'Practitioner',
          },
          roles,
        );
        members += 1;
      }
    }

    for (const [country, name, agency, position] of APPLICATIONS) {
      const id = newId<ApplicationId>();
      const agencyId = agencyByName.get(`${country}/${agency}`) ?? null;
      await insertApplication(trx, {
        id,
        email: `${emailSlug(name)}@applicant.${DEMO_DOMAIN}`,
        displayName: name,
        countryCode: country,
        agencyId,
        agencyName: agencyId === null ? agency : null,
        position,
        justification: `I work on ${position.toLowerCase()} topics and would like to exchange with colleagues across the network.`,
        now,
      });
      await markApplicationVerified(trx, id, now);
    }

    const counts: DemoCounts = {
      countries: NCPS.length,
      ncps: NCPS.length,
      coreGroup: CORE_GROUP.length,
      agencies: agencyByName.size,
      members,
      tigLeads: TIG_LEADS.length,
      applications: APPLICATIONS.length,
    };
    await appendAudit(services, trx, {
      actorId: null,
      action: 'demo.seeded',
      targetType: 'user',
      targetId: adminId,
      details: { ...counts },
    });
    return { seeded: true, adminEmail: DEMO_ADMIN_EMAIL, password, counts };
  });
}

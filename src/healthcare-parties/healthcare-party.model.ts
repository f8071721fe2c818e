/** A healthcare party as the core hands it out; profiles render this, never the TypeORM class behind it. */
export interface HealthcareParty {
  id: string;
  groupId: string;
  rev: string;
  created: number;
  modified: number;
  deletionDate: number | null;
  name: string | null;
  lastName: string | null;
  firstName: string | null;
  nihii: string | null;
  ssin: string | null;
  cbe: string | null;
  ehp: string | null;
  speciality: string | null;
  nihiiSpecCode: string | null;
  parentId: string | null;
  userId: string | null;
  searchTerms: string | null;
  postalCodes: string | null;
  extra: Record<string, unknown> | null;
}

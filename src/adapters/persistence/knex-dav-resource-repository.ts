import type { Knex } from 'knex';
import type { DavResource, DavResourceRepository } from '../../application/ports/dav-resource-repository.js';
import { isUuid } from './pg-errors.js';

/** CardDAV resource names in `dav_resources` (migration 20261206_22). */
export class KnexDavResourceRepository implements DavResourceRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  private rows(ownerId: string) {
    return this.db('dav_resources').where({ userId: ownerId }).select('contactId', 'name', 'uid');
  }

  async byName(ownerId: string, name: string): Promise<DavResource | null> {
    return ((await this.rows(ownerId).where({ name }).first()) as DavResource | undefined) ?? null;
  }

  async byNames(ownerId: string, names: readonly string[]): Promise<DavResource[]> {
    if (names.length === 0) return [];
    return (await this.rows(ownerId).whereIn('name', [...names])) as DavResource[];
  }

  async byUid(ownerId: string, uid: string): Promise<DavResource | null> {
    return ((await this.rows(ownerId).where({ uid }).first()) as DavResource | undefined) ?? null;
  }

  async byContactIds(ownerId: string, contactIds: readonly string[]): Promise<DavResource[]> {
    const ids = contactIds.filter(isUuid);
    if (ids.length === 0) return [];
    return (await this.rows(ownerId).whereIn('contactId', ids)) as DavResource[];
  }

  async save(ownerId: string, resource: DavResource): Promise<void> {
    // A name or UID left by a contact that is gone (trashed, purged) passes to the new card.
    await this.db('dav_resources')
      .where({ userId: ownerId })
      .whereNot({ contactId: resource.contactId })
      .where((q) => q.where({ name: resource.name }).orWhere({ uid: resource.uid }))
      .delete();
    await this.db('dav_resources')
      .insert({ contactId: resource.contactId, userId: ownerId, name: resource.name, uid: resource.uid })
      .onConflict('contactId')
      .merge(['name', 'uid']);
  }
}

import { AssetError } from './errors.js';

export const PERMISSIONS = {
  view: 'assets:asset:view',
  upload: 'assets:asset:upload',
  delete: 'assets:asset:delete',
} as const;
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

/** The authenticated caller: the token's subject owns what it uploads. */
export interface Principal {
  ownerId: string;
  type: 'access' | 'service';
  permissions: ReadonlySet<string>;
  /** The request acting for this caller, carried into audit events. */
  requestId?: string;
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!principal.permissions.has(permission)) {
    throw new AssetError('FORBIDDEN', `Your token lacks the permission "${permission}"; ask for a token that grants it.`, {
      requiredPermission: permission,
    });
  }
}

import type { TenantSettings, TenantSettingsUpdate } from '../tenant-settings/tenant-settings.service';
import type { SettingsView } from './batch-api-views.schema';
import type { SettingsUpdate } from './settings-request.schema';

/** How a stored key is shown: never the key, only its last four characters (the seed's `***xxxx`). */
export const maskKey = (last4: string): string => `***${last4}`;

/** The seed's settings: `api_key` is the default deployment's key, masked; `provider_keys` every key, masked. */
export function presentSettings(settings: TenantSettings): SettingsView {
  const own = settings.providerKeys.find((k) => k.deployment === settings.defaultDeployment);
  return {
    api_key: own ? maskKey(own.last4) : null,
    high_priority: settings.bands.high,
    medium_priority: settings.bands.normal,
    low_priority: settings.bands.low,
    provider_keys: settings.providerKeys.map((k) => ({ deployment: k.deployment, api_key: maskKey(k.last4), updated_at: k.updatedAt.toISOString() })),
    default_deployment: settings.defaultDeployment,
    updated_at: settings.updatedAt?.toISOString() ?? null,
  };
}

/** The seed's body as an update: its `*_priority` objects are the bands; `deployment` alone (without `api_key`) changes nothing. */
export function settingsUpdateOf(body: SettingsUpdate): TenantSettingsUpdate {
  const bands = Object.fromEntries(
    (
      [
        ['high', body.high_priority],
        ['normal', body.medium_priority],
        ['low', body.low_priority],
      ] as const
    )
      .map(([band, patch]) => [band, patch && Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))] as const)
      .filter(([, patch]) => patch && Object.keys(patch).length > 0),
  );
  return {
    ...(Object.keys(bands).length > 0 && { bands }),
    ...(body.api_key !== undefined && { providerKey: { deployment: body.deployment, apiKey: body.api_key } }),
  };
}

import { assetResponse } from '../../shared/dashboard-assets.ts';
import { HttpError } from '../../shared/errors.ts';
import type { OpsDeps, OpsRoute, OpsRoutes } from '../deps.ts';

/** The dashboard's page, script and style (built at synth), and its sign-in settings. */
export function dashboardRoutes(
  deps: Pick<OpsDeps, 'config' | 'dashboard' | 'signIn'>,
): OpsRoutes<'GET /dashboard' | 'GET /dashboard/{asset}'> {
  const dashboardFile: OpsRoute = async ({ event }) => {
    const name = event.pathParameters?.asset ?? 'index.html';
    if (name === 'config.json')
      return assetResponse({
        contentType: 'application/json; charset=utf-8',
        // Settings the pages need and that are no secret: the sign-in, the reasons a lead is disqualified for,
        // and the currency deal values are reported in.
        body: JSON.stringify({
          signIn: deps.signIn ?? null,
          disqualifyReasons: deps.config.workspace.disqualifyReasons,
          reportingCurrency: deps.config.money.reportingCurrency,
        }),
      });
    const files = deps.dashboard?.() ?? {};
    const asset = Object.hasOwn(files, name) ? files[name] : undefined;
    if (asset === undefined)
      throw new HttpError(404, 'not_found', `There is no dashboard file "${event.pathParameters?.asset}".`);
    return assetResponse(asset);
  };
  return { 'GET /dashboard': dashboardFile, 'GET /dashboard/{asset}': dashboardFile };
}

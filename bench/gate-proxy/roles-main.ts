/** The entry of every role's child process: SALEDAY_BENCH_ROLE names the role, SALEDAY_BENCH_ARGS its arguments. */
import { roleLoadClosed, roleLoadOpen } from './load-roles';
import { roleApp, roleBareProxy, roleGate, roleStorefront, type RoleArgs } from './server-roles';

async function runRole(role: string, args: RoleArgs): Promise<void> {
  switch (role) {
    case 'storefront':
      return roleStorefront();
    case 'app':
      return roleApp(args);
    case 'bare-proxy':
      return roleBareProxy(args);
    case 'gate':
      return roleGate(args);
    case 'load-closed':
      await roleLoadClosed(args);
      process.exit(0);
      return;
    case 'load-open':
      await roleLoadOpen(args);
      process.exit(0);
      return;
    default:
      throw new Error(`unknown bench role ${role}`);
  }
}

const benchRole = process.env.SALEDAY_BENCH_ROLE;
if (benchRole) {
  runRole(benchRole, JSON.parse(process.env.SALEDAY_BENCH_ARGS ?? '{}') as RoleArgs).catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write('roles-main.ts runs a benchmark role: set SALEDAY_BENCH_ROLE (the benchmark does)\n');
  process.exit(1);
}

/**
 * The fleet's task definition: container health checks that run node itself (distroless images),
 * the gate starting once the app is HEALTHY, the load balancer checking the gate's readiness path,
 * and the awslogs driver mode and buffer set explicitly on both containers.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { healthProbeScript } from '../../../lib/fleet/container-health';
import { SaleFleet } from '../../../lib/fleet/sale-fleet';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

type Container = Record<string, unknown> & {
  HealthCheck?: { Command: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
};

function synthFleet(config: SaledayConfig): { containers: Record<string, Container>; template: Template } {
  const stack = new Stack(testApp(), 'Fleet', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const listener = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }).addListener('Http', {
    port: 80,
    open: false,
  });
  new SaleFleet(stack, 'Fleet', {
    config,
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    listener,
    redisUrl: 'rediss://cache:6380',
    redisAuthToken: new secretsmanager.Secret(stack, 'Token'),
  });
  const template = Template.fromStack(stack);
  const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  const containers = Object.fromEntries(
    (task!.Properties.ContainerDefinitions as Container[]).map((c) => [c.Name as string, c]),
  );
  return { containers, template };
}

describe('the fleet with the storefront image', () => {
  const config = exampleConfig();
  const { containers, template } = synthFleet(config);

  it('health-checks both containers with the image’s own node, on their health paths', () => {
    const gate = containers.gate!.HealthCheck!;
    const app = containers.app!.HealthCheck!;
    expect(gate.Command.slice(0, 3)).toEqual(['CMD', '/nodejs/bin/node', '-e']);
    expect(gate.Command[3]).toContain(`http://127.0.0.1:${config.fleet.gatePort}/healthz`);
    expect(app.Command.slice(0, 3)).toEqual(['CMD', '/nodejs/bin/node', '-e']);
    expect(app.Command[3]).toContain(`http://127.0.0.1:${config.fleet.appPort}/healthz`);
    for (const check of [gate, app])
      expect(check).toMatchObject({ Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 20 });
  });

  it('starts the gate once the app is HEALTHY', () => {
    expect(containers.gate!.DependsOn).toEqual([{ ContainerName: 'app', Condition: 'HEALTHY' }]);
  });

  it('has the load balancer check the gate’s readiness path, not its liveness', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/_gate/ready',
      Matcher: { HttpCode: '200' },
    });
  });

  it('sets the awslogs driver to non-blocking with an explicit buffer on both containers', () => {
    for (const name of ['gate', 'app']) {
      expect(containers[name]!.LogConfiguration).toMatchObject({
        LogDriver: 'awslogs',
        Options: expect.objectContaining({ mode: 'non-blocking', 'max-buffer-size': '26214400b' }),
      });
    }
  });
});

describe('the fleet with a shop image of its own', () => {
  const { containers } = synthFleet(exampleConfig((raw) => (raw.fleet.appImage = 'public.ecr.aws/acme/shop:1.4.2')));

  it('checks the gate only, and starts it once the app has started (the image may have no node to check with)', () => {
    expect(containers.gate!.HealthCheck).toBeDefined();
    expect(containers.app!.HealthCheck).toBeUndefined();
    expect(containers.gate!.DependsOn).toEqual([{ ContainerName: 'app', Condition: 'START' }]);
  });
});

describe('the health probe script', () => {
  let server: Server;
  let port = 0;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.writeHead(req.url === '/healthz' ? status : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    if (server.listening) server.close();
  });

  // Run by the node that runs the tests, as the container runs it with its own (a child process:
  // the server above answers from this one).
  const exitCode = (path: string, timeoutMs = 3000) =>
    new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', healthProbeScript(port, path, timeoutMs)], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });

  it('exits 0 on a 2xx answer and 1 on an error answer, a hang or a closed port', async () => {
    expect(await exitCode('/healthz')).toBe(0);
    status = 503;
    expect(await exitCode('/healthz')).toBe(1);
    expect(await exitCode('/hang', 300)).toBe(1);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await exitCode('/healthz')).toBe(1);
  });
});

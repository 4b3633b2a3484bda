import { runConformanceSuite } from '@hermes/adapter-testkit';
import { mattermostConformanceDriver } from './conformance-driver.js';

runConformanceSuite(
  mattermostConformanceDriver('mattermost (real @mattermost/client against the loopback fake)'),
);

import { runConformanceSuite } from '@hermes/adapter-testkit';
import { dingtalkConformanceDriver } from './conformance-driver.js';

runConformanceSuite(dingtalkConformanceDriver('dingtalk'));

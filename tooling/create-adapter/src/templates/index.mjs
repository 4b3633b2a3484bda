// @ts-check
import { adapterTs, descriptorTs, indexTs } from './adapter.mjs';
import { configTestTs, configTs } from './config.mjs';
import { inboundTs, mediaTs, outboundTs } from './mapping.mjs';
import { packageJson, tsconfigJson, tsupConfig, vitestConfig } from './package-files.mjs';
import { readmeMd } from './readme.mjs';
import { adapterTestTs, fakeServerTs, testingIndexTs } from './testing.mjs';
import { formatTs, transportTs } from './wire.mjs';

/**
 * @typedef {object} GeneratedFile
 * @property {string} path     relative to the package folder, `/`-separated
 * @property {string} content
 */

/**
 * Every file of a new adapter package, in the order a contributor reads them.
 * @param {import('../names.mjs').PlatformNames} names
 * @param {import('../workspace.mjs').ScaffoldVersions} versions
 * @returns {GeneratedFile[]}
 */
export function renderAdapterFiles(names, versions) {
  return [
    { path: 'package.json', content: packageJson(names, versions) },
    { path: 'tsconfig.json', content: tsconfigJson() },
    { path: 'tsup.config.ts', content: tsupConfig() },
    { path: 'vitest.config.ts', content: vitestConfig() },
    { path: 'README.md', content: readmeMd(names) },
    { path: 'src/index.ts', content: indexTs(names) },
    { path: 'src/config.ts', content: configTs(names) },
    { path: 'src/config.test.ts', content: configTestTs(names) },
    { path: 'src/format.ts', content: formatTs(names) },
    { path: 'src/transport.ts', content: transportTs(names) },
    { path: 'src/inbound.ts', content: inboundTs(names) },
    { path: 'src/outbound.ts', content: outboundTs(names) },
    { path: 'src/media.ts', content: mediaTs(names) },
    { path: 'src/adapter.ts', content: adapterTs(names) },
    { path: 'src/descriptor.ts', content: descriptorTs(names) },
    { path: 'src/testing/fake-server.ts', content: fakeServerTs(names) },
    { path: 'src/testing/index.ts', content: testingIndexTs(names) },
    { path: 'src/adapter.test.ts', content: adapterTestTs(names) },
    ...(versions.license ? [{ path: 'LICENSE', content: versions.license }] : []),
  ];
}

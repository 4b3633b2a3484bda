export { readFileIfExists, setFileAside, writeFileAtomic, writeFileAtomicAsync } from './atomic-file.js';

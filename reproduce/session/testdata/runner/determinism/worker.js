importScripts('probe.js');
postMessage(probe());

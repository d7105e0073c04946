// Loaded from the RECORDED origin by isolation/index.html: the runner must
// map it onto the app under test.
console.log('mapped asset loaded');

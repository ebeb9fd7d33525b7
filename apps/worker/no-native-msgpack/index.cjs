// No native extractor: msgpackr checks for one and, finding none, decodes in JavaScript.
module.exports = undefined;

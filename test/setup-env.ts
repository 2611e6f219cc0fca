// Handler logs would drown the test report; tests that care about logs install their own sink.
process.env.LOG_LEVEL ??= 'silent';
// Local and test runs use the machine's Node 20; deployed functions run on Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Public surface of @gaitwatch/api: built in a later issue (see README "Status").
export {};

// Public surface of @gaitwatch/storage: built in a later issue (see README "Status").
export {};

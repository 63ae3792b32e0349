/*
 * all_ops.h: every function of include/cpuser/ampeco_users.h called once
 * on a ready client, for the "every users operation" images (app_all.c
 * over the canned transport, full/app_stack.c over lwIP and mbedTLS).
 */
#ifndef FW_ALL_OPS_H
#define FW_ALL_OPS_H

#include "cpuser/ampeco_users.h"

/* Run them all in a user's life-cycle order; returns the first error (the
 * rest still run, so that every one is linked and reached). */
cpuser_err fw_all_ops(cpuser_client *c);

#endif /* FW_ALL_OPS_H */

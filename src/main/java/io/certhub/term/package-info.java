/**
 * Multi-year terms as a chain of certificates (issue 13 §2): the validity caps of the CA/Browser
 * Forum Baseline Requirements (ballot SC-081v3) in configuration ({@link io.certhub.term.LifecycleProperties}),
 * the cap and renewal-point rule ({@link io.certhub.term.ValidityCaps}), and the hub's view of an
 * order's term and its overdue-reissue check ({@link io.certhub.term.TermService}).
 */
package io.certhub.term;

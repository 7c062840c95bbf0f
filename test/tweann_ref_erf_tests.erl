%% EUnit tests of the error function of the liquid cells (tweann_ref_erf)
%% against libm.
-module(tweann_ref_erf_tests).

-include_lib("eunit/include/eunit.hrl").

-define(M, tweann_ref_erf).

%%--------------------------------------------------------------------
%% erf
%%--------------------------------------------------------------------

erf_matches_libm_test() ->
    rand:seed(exsss, {5, 5, 5}),
    Xs = [0.0, -0.0, 1.0e-300, 5.0e-324, 1.0e-10, 0.5, 0.84375, 1.0, 1.25, 2.0,
          2.857142857142857, 3.0, 5.9, 6.0, 27.0, -0.3, -1.1, -2.5, -4.0, -7.0]
        ++ [(rand:uniform() - 0.5) * 14.0 || _ <- lists:seq(1, 20000)],
    Bad = [{X, ?M:erf(X), math:erf(X)} || X <- Xs,
           abs(?M:erf(X) - math:erf(X)) > 2.3e-16 * abs(math:erf(X))],
    ?assertEqual([], Bad).

%% Genotype records with the field layout of faber-tweann's (and DXNN2's)
%% include/records.hrl, for the tweann_store tests and benchmark. Only the
%% layout matters: tweann_store_sweep:default_fields/0 uses these tuple
%% positions (#agent.offspring_ids = 22, #agent.parent_ids = 23,
%% #specie.all_agent_ids = 6, #specie.agent_ids = 7, #specie.dead_pool = 8).
-ifndef(BENCH_STORE_RECORDS_HRL).
-define(BENCH_STORE_RECORDS_HRL, true).

-record(sensor, {id, name, type, cx_id, scape, vl, fanout_ids = [],
                 generation, format, parameters, gt_parameters, phys_rep,
                 vis_rep, pre_f, post_f, innovation}).

-record(actuator, {id, name, type, cx_id, scape, vl, fanin_ids = [],
                   generation, format, parameters, gt_parameters, phys_rep,
                   vis_rep, pre_f, post_f, innovation}).

-record(neuron, {id, generation, cx_id, pre_processor, signal_integrator, af,
                 post_processor, pf, aggr_f, input_idps = [],
                 input_idps_modulation = [], output_ids = [], ro_ids = [],
                 neuron_type = standard, time_constant = 1.0,
                 state_bound = 1.0, ltc_backbone_weights = [],
                 ltc_head_weights = [], internal_state = 0.0, innovation}).

-record(cortex, {id, agent_id, neuron_ids = [], sensor_ids = [],
                 actuator_ids = []}).

-record(agent, {id, encoding_type, generation, population_id, specie_id,
                cx_id, fingerprint, constraint, evo_hist = [], fitness = 0,
                innovation_factor = 0, pattern = [], tuning_selection_f,
                annealing_parameter, tuning_duration_f, perturbation_range,
                mutation_operators, tot_topological_mutations_f,
                heredity_type, substrate_id, offspring_ids = [],
                parent_ids = [], champion_flag = [false], evolvability = 0,
                brittleness = 0, robustness = 0,
                evolutionary_capacitance = 0, behavioral_trace, fs = 1,
                main_fitness}).

-record(champion, {hof_fingerprint, id, fitness, validation_fitness,
                   test_fitness, main_fitness, tot_n, evolvability,
                   robustness, brittleness, generation,
                   behavioral_differences, fs}).

-record(specie, {id, population_id, fingerprint, constraint,
                 all_agent_ids = [], agent_ids = [], dead_pool = [],
                 champion_ids = [], fitness, innovation_factor = {0, 0},
                 stats = [], seed_agent_ids = [], hof_distinguishers = [tot_n],
                 specie_distinguishers = [tot_n], hall_of_fame = []}).

-record(population, {id, polis_id, specie_ids = [], morphologies = [],
                     innovation_factor, evo_alg_f, fitness_postprocessor_f,
                     selection_f, trace, seed_agent_ids = [],
                     seed_specie_ids = []}).

-endif.
